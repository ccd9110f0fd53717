import { z } from 'zod';
import { defineMessage } from '../define.js';
import { text } from '../lenient.js';
import { routingKey, targetedKey, uriParts } from '../routing-key.js';
import { sample } from './common.js';

/**
 * Fife's router family: "where would this call go, and why?" A dry run evaluates the account's callflow
 * for a number exactly as a route_req would (same lookups, same clock if `At` is given) and returns the
 * route_resp it would send plus every decision taken on the way. Nothing rings.
 *
 * Route objects the router emits (route_resp and Route-Resp here) carry two additions to kapi's route:
 * `Fife-Step` (routes with the same step ring together, `,`; steps are tried in order, `|`) and per-leg
 * `Custom-Channel-Vars` `Endpoint-Delay` / `Endpoint-Timeout` (seconds → leg_delay_start / leg_timeout,
 * kazoo-wire §7.3). A Kazoo ecallmgr ignores Fife-Step and tries every route in order.
 */
const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 instant, e.g. 2026-11-23T08:00:00Z');

export const dryRunReq = defineMessage({
  category: 'router',
  name: 'dry_run_req',
  exchange: 'fife',
  // Without an account the realm of From names it; either way one segment, so `router.dry_run.*` binds all.
  routingKey: (m) => routingKey({ raw: 'router.dry_run' }, m['Account-ID'] ?? (m.From ? uriParts(m.From).realm : '_')),
  bindingKeys: ['router.dry_run.*'],
  fields: {
    'Account-ID': z.string().min(1).optional().describe('the account whose callflows route the call; default: the account of the From realm'),
    To: text.describe('the dialed number (or number@realm)'),
    From: z.string().optional().describe('caller as user@realm: the device with that SIP username is the caller'),
    'Authorizing-ID': z.string().optional().describe('caller device id (wins over From)'),
    'Caller-ID-Name': z.string().optional(),
    'Caller-ID-Number': z.string().optional(),
    At: instant.optional().describe('route as if the call came at this instant (calendars); default now'),
  },
  summary: 'Evaluate a route without a call: the route_resp the router would send and why.',
  sender: 'integrators, fife route',
  responder: 'router',
  replies: ['dry_run_resp'],
  example: {
    ...sample.whapp,
    'App-Name': 'fife-cli',
    'Msg-ID': 'dr1',
    'Server-ID': sample.replyQueue,
    'Account-ID': sample.accountId,
    From: '1000@sip.example.com',
    To: '2000',
    At: '2026-11-23T07:30:00Z',
  },
});

export const dryRunResp = defineMessage({
  category: 'router',
  name: 'dry_run_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    Result: z.enum(['bridge', 'park', 'error', 'no_route']).describe('no_route: no callflow (or no account), a route_req would get no answer'),
    'Account-ID': z.string().optional(),
    'Callflow-ID': z.string().optional(),
    At: instant,
    Reasons: z.array(z.string()).describe('every decision, in order ("calendar Support closed until 08:00")'),
    'Route-Resp': z.record(z.string(), z.unknown()).optional().describe('the route_resp fields the router would send'),
    Actions: z.array(z.record(z.string(), z.unknown())).optional().describe('park: the call-control commands it would run after route_win'),
  },
  summary: 'The outcome of a dry run: the plan and the reasons for it.',
  sender: 'router',
  responder: 'dry_run_req sender',
  example: {
    'App-Name': 'router',
    'App-Version': '0.1.0',
    Node: 'router@apps1.example.net',
    'Msg-ID': 'dr1',
    Result: 'error',
    At: '2026-11-23T07:30:00Z',
    Reasons: ['2000: callflow cf1 by number 2000', 'calendar Support closed until 2026-11-23T08:00:00Z', 'result: error 480'],
    'Route-Resp': { Method: 'error', 'Route-Error-Code': '480', 'Route-Error-Message': 'No Answer' },
  },
});

export const router = { dryRunReq, dryRunResp } as const;
