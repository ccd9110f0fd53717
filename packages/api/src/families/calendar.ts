import { z } from 'zod';
import { defineMessage } from '../define.js';
import { text } from '../lenient.js';
import { routingKey, targetedKey } from '../routing-key.js';
import { sample } from './common.js';

/**
 * Fife's calendar family: "is the support line open now, and until when?", "who is on call?".
 * Asked by the router (calendar callflow branches) and by integrators; answered by the calendar whapp
 * from a precomputed interval index. Instants are ISO 8601 (UTC, `Z`); `At` defaults to now.
 */
const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 instant, e.g. 2026-11-23T08:00:00Z');

const calendarRef = {
  'Account-ID': text.describe('account that owns the calendar'),
  'Calendar-ID': text.describe('calendar document id in the account database'),
  At: instant.optional().describe('the instant asked about; default: when the request is handled'),
};

export const activeEvent = z.looseObject({
  UID: z.string(),
  Summary: z.string().optional(),
  Start: instant,
  End: instant,
  'Calendar-ID': z.string().optional().describe('the calendar the event comes from (the asked one, or its closures calendar)'),
  Closure: z.boolean().optional().describe('true for an event of the closures (holidays) calendar'),
});

const statusKey = (m: { 'Account-ID': string }) => routingKey({ raw: 'calendar.status' }, m['Account-ID']);
const oncallKey = (m: { 'Account-ID': string }) => routingKey({ raw: 'calendar.oncall' }, m['Account-ID']);

export const statusReq = defineMessage({
  category: 'calendar',
  name: 'status_req',
  exchange: 'fife',
  routingKey: statusKey,
  bindingKeys: ['calendar.status.*'],
  fields: calendarRef,
  summary: 'Is this calendar open (business hours) or busy (personal) at an instant, and until when?',
  sender: 'router, integrators',
  responder: 'calendar',
  replies: ['status_resp', 'error'],
  example: {
    ...sample.whapp,
    'Msg-ID': 'c0a1b2c3',
    'Server-ID': sample.replyQueue,
    'Account-ID': sample.accountId,
    'Calendar-ID': 'support-hours',
    At: '2026-11-23T07:30:00Z',
  },
});

export const statusResp = defineMessage({
  category: 'calendar',
  name: 'status_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    'Calendar-ID': text,
    At: instant,
    Status: z.enum(['open', 'closed', 'busy', 'free']).describe('open/closed for business-hours calendars, busy/free for personal ones'),
    Until: instant.optional().describe('next transition; absent when none within the indexed horizon'),
    'Active-Events': z.array(activeEvent).describe('events covering At (hours, closures, meetings)'),
    Reason: z.string().optional().describe('why, for people: "Support closed until 08:00 (Public holiday)"'),
  },
  summary: 'The state of one calendar at an instant.',
  sender: 'calendar',
  example: {
    'App-Name': 'calendar',
    'App-Version': '0.1.0',
    Node: 'calendar@apps1.example.net',
    'Msg-ID': 'c0a1b2c3',
    'Calendar-ID': 'support-hours',
    At: '2026-11-23T07:30:00Z',
    Status: 'closed',
    Until: '2026-11-23T08:00:00Z',
    'Active-Events': [],
    Reason: 'closed until 08:00 Europe/Brussels',
  },
});

export const oncallReq = defineMessage({
  category: 'calendar',
  name: 'oncall_req',
  exchange: 'fife',
  routingKey: oncallKey,
  bindingKeys: ['calendar.oncall.*'],
  fields: calendarRef,
  summary: 'Who is on call at an instant, according to an on-call calendar?',
  sender: 'router, integrators',
  responder: 'calendar',
  replies: ['oncall_resp', 'error'],
  example: {
    ...sample.whapp,
    'Msg-ID': 'c0a1b2c4',
    'Server-ID': sample.replyQueue,
    'Account-ID': sample.accountId,
    'Calendar-ID': 'ops-oncall',
  },
});

export const oncallResp = defineMessage({
  category: 'calendar',
  name: 'oncall_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    'Calendar-ID': text,
    At: instant,
    'User-IDs': z.array(z.string()).describe('users on call at At, mapped from SUMMARY / ATTENDEE / CATEGORIES'),
    Until: instant.optional().describe('when the on-call set changes next'),
    'Active-Events': z.array(activeEvent),
  },
  summary: 'The users on call at an instant.',
  sender: 'calendar',
  example: {
    'App-Name': 'calendar',
    'App-Version': '0.1.0',
    Node: 'calendar@apps1.example.net',
    'Msg-ID': 'c0a1b2c4',
    'Calendar-ID': 'ops-oncall',
    At: '2026-11-23T07:30:00Z',
    'User-IDs': ['1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f'],
    Until: '2026-11-23T18:00:00Z',
    'Active-Events': [{ UID: 'oncall-week-48@example.net', Summary: 'On call: Alice', Start: '2026-11-23T06:00:00Z', End: '2026-11-23T18:00:00Z' }],
  },
});

export const calendar = { statusReq, statusResp, oncallReq, oncallResp } as const;
