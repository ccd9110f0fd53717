import { z } from 'zod';
import { defineMessage } from '../define.js';
import { bool, count, int, text } from '../lenient.js';
import { encodeSegment, routingKey, targetedKey } from '../routing-key.js';
import { customApplicationVars, customChannelVars, customSipHeaders, sample } from './common.js';

/** kapi_call: call events, control takeover and channel queries, all on `callevt` (kazoo-wire §5.1, §5.4). */

/** FreeSWITCH-style event names in capitals (CHANNEL_ANSWER, DTMF, RECORD_STOP, ...). */
export const callEventName = /^[A-Z][A-Z0-9_]*$/;

/** The event names Kazoo's ecallmgr publishes (CALL_EVENTS); others matching `callEventName` are accepted too. */
export const knownCallEvents = [
  'CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_DESTROY', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_EXECUTE_ERROR', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_HOLD', 'CHANNEL_UNHOLD',
  'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_TRANSFEREE', 'CHANNEL_TRANSFEROR', 'CHANNEL_REPLACED', 'CHANNEL_INTERCEPTED',
  'CHANNEL_FAX_STATUS', 'CALL_SECURE', 'CALL_UPDATE', 'DETECTED_TONE', 'DTMF', 'LEG_CREATED', 'LEG_DESTROYED',
  'RECORD_START', 'RECORD_STOP',
] as const;

/**
 * What ecallmgr puts on call events (kazoo-wire §5.1); shared with originate_resp, which carries
 * "call-event fields" too. Only Call-ID is required.
 */
export const callEventFields = {
  'Call-ID': text.describe('FreeSWITCH UUID'),
  Timestamp: int.optional().describe('event time in Gregorian seconds'),
  'Call-Direction': z.string().optional(),
  'Caller-ID-Name': z.string().optional(),
  'Caller-ID-Number': z.string().optional(),
  'Callee-ID-Name': z.string().optional(),
  'Callee-ID-Number': z.string().optional(),
  'Channel-Call-State': z.string().optional(),
  'Channel-State': z.string().optional(),
  'Channel-Name': z.string().optional(),
  'Channel-Created-Time': int.optional().describe('microseconds'),
  'Custom-Channel-Vars': customChannelVars.optional(),
  'Custom-Application-Vars': customApplicationVars.optional(),
  'Custom-SIP-Headers': customSipHeaders.optional(),
  'Other-Leg-Call-ID': z.string().optional(),
  'Other-Leg-Caller-ID-Name': z.string().optional(),
  'Other-Leg-Caller-ID-Number': z.string().optional(),
  'Other-Leg-Destination-Number': z.string().optional(),
  'Other-Leg-Direction': z.string().optional(),
  'Application-Name': z.string().optional().describe('the Kazoo command name on CHANNEL_EXECUTE*'),
  'Application-Response': z.string().optional(),
  'Application-Data': z.unknown().optional(),
  'Raw-Application-Name': z.string().optional(),
  'Raw-Application-Data': z.string().optional(),
  'Switch-Hostname': z.string().optional(),
  'Switch-Nodename': z.string().optional(),
  'Switch-URI': z.string().optional(),
  'Switch-URL': z.string().optional(),
  'Media-Server': z.string().optional(),
  'Hangup-Cause': z.string().optional(),
  'Hangup-Code': z.string().optional(),
  Disposition: z.string().optional(),
  'Origination-Call-ID': z.string().optional(),
  'Presence-ID': z.string().optional(),
  'From-Tag': z.string().optional(),
  'To-Tag': z.string().optional(),
  'Transfer-History': z.unknown().optional(),
  'Replaced-By': z.string().optional(),
  'Channel-Is-Loopback': bool.optional(),
  'Channel-Moving': bool.optional(),
  Request: z.string().optional(),
  To: z.string().optional(),
  'To-Uri': z.string().optional(),
  From: z.string().optional(),
  'From-Uri': z.string().optional(),
  'Duration-Seconds': int.optional(),
  'Billing-Seconds': int.optional(),
  'Ringing-Seconds': int.optional(),
  'User-Agent': z.string().optional(),
  'Remote-SDP': z.string().optional(),
  'Local-SDP': z.string().optional(),
  'Fax-Info': z.record(z.string(), z.unknown()).optional(),
  'DTMF-Digit': z.string().optional(),
  'DTMF-Duration': int.optional(),
  Length: int.optional().describe('RECORD_STOP: milliseconds'),
  Terminator: z.string().optional(),
  'Silence-Terminated': bool.optional(),
  'Transfer-Type': z.string().optional(),
  'Transfer-To': z.string().optional(),
  'Intercepted-By': z.string().optional(),
  'Detected-Tone': z.string().optional(),
  'Control-Queue': z.string().optional(),
};

/** `call.<Event-Name>.<call-id>`, the call-id being Origination-Call-ID when set (kazoo-wire §5.1). */
export function callEventKey(eventName: string, callId: string): string {
  return `call.${eventName}.${encodeSegment(callId)}`;
}

export const callEvent = defineMessage({
  category: 'call_event',
  name: 'any',
  namePattern: callEventName,
  exchange: 'callevt',
  routingKey: (msg) => callEventKey(String(msg['Event-Name']), msg['Origination-Call-ID'] ?? msg['Call-ID']),
  bindingKeys: ['call.*.*'],
  fields: callEventFields,
  summary:
    'A FreeSWITCH channel event (Event-Name CHANNEL_ANSWER, CHANNEL_EXECUTE_COMPLETE, DTMF, ...). Msg-ID is the event timestamp in µs, not a request id.',
  sender: 'ecallmgr',
  responder: 'whapps, integrators (bind call.*.<call-id> or call.<EVENT>.*)',
  example: {
    ...sample.ecallmgr,
    'Event-Name': 'CHANNEL_EXECUTE_COMPLETE',
    'Msg-ID': '1710251093412873',
    Timestamp: 63877470293,
    'Call-ID': sample.callId,
    'Application-Name': 'bridge',
    'Application-Response': 'SUCCESS',
    'Other-Leg-Call-ID': '8d7c6b5a-4e3f-4a1b-9c8d-7e6f5a4b3c2d',
  },
});

export const usurpControl = defineMessage({
  category: 'call_event',
  name: 'usurp_control',
  exchange: 'callevt',
  routingKey: (msg) => callEventKey('usurp_control', msg['Call-ID']),
  bindingKeys: ['call.usurp_control.*'],
  fields: {
    'Call-ID': text,
    'Fetch-ID': text,
    Reason: z.string().optional(),
    'Media-Node': z.string().optional(),
  },
  summary: 'A new control process owns this call: older ones with another Fetch-ID stop. Sent right after route_win.',
  sender: 'ecallmgr',
  responder: 'ecallmgr (other control processes)',
  example: { ...sample.ecallmgr, 'Msg-ID': 'u1', 'Call-ID': sample.callId, 'Fetch-ID': 'f1', Reason: 'Route-Win' },
});

/** Every channel query is keyed `call.status_req.<id>`; ecallmgr binds `call.status_req.*`. */
const statusReqKey = (id: string): string => callEventKey('status_req', id);

export const channelStatusReq = defineMessage({
  category: 'call_event',
  name: 'channel_status_req',
  exchange: 'callevt',
  routingKey: (msg) => statusReqKey(msg['Call-ID']),
  bindingKeys: ['call.status_req.*'],
  fields: { 'Call-ID': text, 'Active-Only': bool.optional() },
  summary: 'Is this call still up, and where?',
  sender: 'whapps, integrators',
  responder: 'ecallmgr',
  replies: ['channel_status_resp'],
  example: { ...sample.whapp, 'Msg-ID': 's1', 'Server-ID': sample.replyQueue, 'Call-ID': sample.callId },
});

export const channelStatusResp = defineMessage({
  category: 'call_event',
  name: 'channel_status_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    'Call-ID': text,
    Status: z.enum(['active', 'tmpdown', 'terminated']),
    'Custom-Channel-Vars': customChannelVars.optional(),
    'Error-Msg': z.string().optional(),
    'From-Tag': z.string().optional(),
    'To-Tag': z.string().optional(),
    'Other-Leg-Call-ID': z.string().optional(),
    Realm: z.string().optional(),
    Username: z.string().optional(),
    'Switch-Hostname': z.string().optional(),
    'Switch-Nodename': z.string().optional(),
    'Switch-URL': z.string().optional(),
  },
  summary: "The call's state: active, tmpdown (node unreachable) or terminated.",
  sender: 'ecallmgr',
  responder: 'channel_status_req sender',
  example: {
    ...sample.ecallmgr,
    'Msg-ID': 's1',
    'Call-ID': sample.callId,
    Status: 'active',
    'Switch-Hostname': 'fs-a.example.net',
  },
});

/** `call.status_req.<user>:<realm>` (encoded), or an empty last segment when neither is given (as Kazoo does). */
export function userChannelsKey(msg: { Username?: string; Usernames?: string[]; Realm?: string }): string {
  const user = msg.Username ?? msg.Usernames?.[0];
  if (!user && !msg.Realm) return 'call.status_req.';
  return statusReqKey(`${user ?? ''}:${msg.Realm ?? ''}`);
}

export const userChannelsReq = defineMessage({
  category: 'call_event',
  name: 'query_user_channels_req',
  exchange: 'callevt',
  routingKey: userChannelsKey,
  bindingKeys: ['call.status_req.*'],
  fields: {
    Username: z.string().optional(),
    Usernames: z.array(z.string()).optional(),
    Realm: z.string().optional(),
    'Authorizing-IDs': z.array(z.string()).optional().describe('device ids'),
    'Active-Only': bool.optional(),
    'Fife-Reply-Always': bool
      .optional()
      .describe(
        'Fife extension: every ecallmgr answers, with an empty Channels list when it knows no matching channel, and says in Fife-Responders how many ecallmgrs answer such queries; a collector can stop at that many replies instead of waiting for its deadline. Unset (Kazoo behaviour): only ecallmgrs with matches answer',
      ),
  },
  summary: 'Is this user or device in a call? Asks every ecallmgr for the channels of users or devices.',
  sender: 'callgroup, router, integrators',
  responder: 'ecallmgr',
  replies: ['query_user_channels_resp'],
  example: {
    ...sample.whapp,
    'Msg-ID': 'q1',
    'Server-ID': sample.replyQueue,
    Usernames: ['1001', '1002'],
    Realm: 'sip.example.com',
    'Active-Only': 'true',
  },
});

/** A channel as ecallmgr describes it in channel query replies; the keys Kazoo's ecallmgr sets, all optional. */
export const channelObject = z.looseObject({
  'Call-ID': z.string().optional(),
  Direction: z.string().optional(),
  Destination: z.string().optional(),
  'Account-ID': z.string().optional(),
  'Authorizing-ID': z.string().optional(),
  'Authorizing-Type': z.string().optional(),
  'Owner-ID': z.string().optional(),
  'Presence-ID': z.string().optional(),
  Username: z.string().optional(),
  Realm: z.string().optional(),
  Answered: bool.optional(),
  'Other-Leg-Call-ID': z.string().optional(),
  'Switch-Hostname': z.string().optional(),
  Timestamp: int.optional(),
  'Elapsed-Seconds': count.optional(),
});

export const userChannelsResp = defineMessage({
  category: 'call_event',
  name: 'query_user_channels_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    Channels: z.array(channelObject).optional(),
    'Fife-Responders': count
      .optional()
      .describe(
        'Answers to a Fife-Reply-Always query only: how many ecallmgr processes answer channel queries, as this one last counted them (refreshed every second). Stop collecting at the largest value seen; absent when the count is unknown',
      ),
  },
  summary: 'The channels of the queried users or devices (one reply per ecallmgr that has any, or per ecallmgr with Fife-Reply-Always).',
  sender: 'ecallmgr',
  responder: 'query_user_channels_req sender',
  example: {
    ...sample.ecallmgr,
    'Msg-ID': 'q1',
    Channels: [{ 'Call-ID': sample.callId, Username: '1001', Realm: 'sip.example.com', Answered: true }],
  },
});

/**
 * For `bus.collect(..., { until })` on a Fife-Reply-Always channel query: true once as many replies arrived
 * as the largest Fife-Responders any of them reported (every ecallmgr answered, so waiting longer adds nothing).
 */
export function everyChannelResponder(replies: readonly Record<string, unknown>[]): boolean {
  const expected = Math.max(0, ...replies.map((r) => Number(r['Fife-Responders'] ?? 0)).filter(Number.isFinite));
  return expected > 0 && replies.length >= expected;
}

export const call = {
  event: callEvent,
  usurpControl,
  channelStatusReq,
  channelStatusResp,
  userChannelsReq,
  userChannelsResp,
} as const;
