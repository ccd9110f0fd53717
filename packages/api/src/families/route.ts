import { z } from 'zod';
import { defineMessage } from '../define.js';
import { int, numericText, text } from '../lenient.js';
import { routingKey, targetedKey, uriParts } from '../routing-key.js';
import { customApplicationVars, customChannelVars, customSipHeaders, mediaMode, sample } from './common.js';

/** kapi_route: route_req / route_resp / route_win (kazoo-wire §4). */

export const resourceTypes = ['audio', 'video', 'sms', 'mms', 'chat', 'metaflow'] as const;

/** Invite-Format of a route or endpoint (kazoo-wire §4.3): how ecallmgr turns it into a dial string. */
export const inviteFormat = z.enum(['username', 'e164', 'npan', '1npan', 'route', 'loopback', 'contact']);

function accountOf(msg: Record<string, unknown>): string | undefined {
  const ccv = msg['Custom-Channel-Vars'];
  const fromCcv = ccv && typeof ccv === 'object' ? (ccv as Record<string, unknown>)['Account-ID'] : undefined;
  const id = msg['Account-ID'] ?? fromCcv;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * `route.req.<type>.<account-id>` when the account is known (top level or in the CCVs), else
 * `route.req.<type>.<realm>.<user>` from `From` (kazoo-wire §4.1).
 */
export function routeReqKey(msg: Record<string, unknown> & { From: string; 'Resource-Type'?: string }): string {
  // ecallmgr always names the type; a missing one is a call, which is what it would have said.
  const type = msg['Resource-Type'] ?? 'audio';
  const account = accountOf(msg);
  if (account) return routingKey({ raw: 'route.req' }, type, account);
  const { user, realm } = uriParts(msg.From);
  return routingKey({ raw: 'route.req' }, type, realm, user);
}

export const routeReq = defineMessage({
  category: 'dialplan',
  name: 'route_req',
  exchange: 'callmgr',
  routingKey: routeReqKey,
  bindingKeys: ['route.req.*.*', 'route.req.*.*.*'],
  fields: {
    'Call-ID': text.describe('the FreeSWITCH channel UUID'),
    From: text.describe('user@realm'),
    To: text.describe('user@realm'),
    Request: text.describe('destination@realm'),
    'Resource-Type': z.enum(resourceTypes).optional(),
    'Call-Direction': z.string().optional(),
    'Caller-ID-Name': z.string().optional(),
    'Caller-ID-Number': z.string().optional(),
    'Custom-Channel-Vars': customChannelVars.optional(),
    'Custom-Application-Vars': customApplicationVars.optional(),
    'Custom-SIP-Headers': customSipHeaders.optional(),
    'Custom-Routing-Headers': z.unknown().optional(),
    Context: z.string().optional(),
    'From-Network-Addr': z.string().optional(),
    'From-Network-Port': numericText.optional(),
    'From-Tag': z.string().optional(),
    'To-Tag': z.string().optional(),
    'Switch-Hostname': z.string().optional(),
    'Switch-Nodename': z.string().optional(),
    'Switch-URI': z.string().optional(),
    'Switch-URL': z.string().optional(),
    'SIP-Request-Host': z.string().optional(),
    'User-Agent': z.string().optional(),
    'Origination-Call-ID': z.string().optional(),
    Body: z.string().optional(),
    'Message-ID': z.string().optional(),
    Media: z.enum(['process', 'proxy', 'bypass']).optional(),
    'Destination-Number': z.string().optional(),
  },
  summary: 'Where should this call go? Published by ecallmgr on a dialplan fetch; Msg-ID is the fetch UUID.',
  sender: 'ecallmgr',
  responder: 'router (callflow in Kazoo)',
  replies: ['route_resp'],
  example: {
    ...sample.ecallmgr,
    'Msg-ID': '6b1e0c2a-7d3f-11ee-9f4b-00163e5a1c2d',
    'Server-ID': 'ecallmgr@fs-a.example.net-reply-9d1c44b2',
    'Call-ID': sample.callId,
    'Resource-Type': 'audio',
    From: '1001@sip.example.com',
    To: '1002@sip.example.com',
    Request: '1002@sip.example.com',
    'Custom-Channel-Vars': { 'Account-ID': sample.accountId, 'Authorizing-ID': sample.deviceId },
  },
});

/** One element of route_resp `Routes`: only Invite-Format is required (kazoo-wire §4.3). */
export const routeObject = z.looseObject({
  'Invite-Format': inviteFormat,
  Route: z.string().optional().describe('dial target for route/loopback'),
  'To-User': z.string().optional(),
  'To-Realm': z.string().optional(),
  'To-DID': z.string().optional(),
  'Caller-ID-Name': z.string().optional(),
  'Caller-ID-Number': z.string().optional(),
  'Caller-ID-Type': z.enum(['from', 'rpid', 'pid']).optional(),
  Media: mediaMode.optional(),
  'Progress-Timeout': int.optional().describe('seconds'),
  Codecs: z.array(z.string()).optional(),
  'Auth-User': z.string().optional(),
  'Auth-Password': z.string().optional(),
  'Custom-Channel-Vars': customChannelVars.optional(),
  'Custom-Application-Vars': customApplicationVars.optional(),
  'Custom-SIP-Headers': customSipHeaders.optional(),
  Context: z.string().optional(),
  'Proxy-Via': z.string().optional(),
  Rate: z.unknown().optional(),
  'Rate-Increment': z.unknown().optional(),
  'Rate-Minimum': z.unknown().optional(),
  'Rate-NoCharge-Time': z.unknown().optional(),
  Surcharge: z.unknown().optional(),
  'Weight-Cost': z.unknown().optional(),
  'Weight-Location': z.unknown().optional(),
});

export const routeMethods = ['bridge', 'park', 'error', 'sms', 'plan', 'application'] as const;

export const routeResp = defineMessage({
  category: 'dialplan',
  name: 'route_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    Method: z.enum(routeMethods),
    Routes: z.array(routeObject).optional().describe('non-empty for bridge, [] for park'),
    'Route-Error-Code': numericText.optional().describe('SIP code for Method error, e.g. "404"'),
    'Route-Error-Message': z.string().optional(),
    'Pre-Park': z.enum(['none', 'ring_ready', 'answer']).optional(),
    'Ringback-Media': z.string().optional(),
    'Transfer-Media': z.string().optional(),
    'Custom-Channel-Vars': customChannelVars.optional(),
    'Custom-Application-Vars': customApplicationVars.optional(),
    'From-Realm': z.string().optional(),
    'From-URI': z.string().optional(),
    'From-User': z.string().optional(),
    'Plan-Data': z.unknown().optional(),
    'Application-Data': z.unknown().optional(),
    Context: z.string().optional().describe('not a kapi field: a Kazoo-built route_resp never carries it'),
  },
  summary: 'How to handle the call (bridge to routes, park for call control, or error). First valid reply wins.',
  sender: 'router',
  responder: 'ecallmgr',
  replies: ['route_win'],
  example: {
    ...sample.whapp,
    'Msg-ID': '6b1e0c2a-7d3f-11ee-9f4b-00163e5a1c2d',
    'Server-ID': sample.replyQueue,
    Method: 'bridge',
    Routes: [
      { 'Invite-Format': 'username', 'To-User': '1002', 'To-Realm': 'sip.example.com', 'Progress-Timeout': '6' },
      { 'Invite-Format': 'route', Route: 'sip:+15557654321@gw.example.net', Codecs: ['PCMU', 'PCMA'] },
    ],
    'Custom-Channel-Vars': { 'Account-ID': sample.accountId },
  },
});

export const routeWin = defineMessage({
  category: 'dialplan',
  name: 'route_win',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    'Call-ID': text.describe('FreeSWITCH UUID; also the Msg-ID of this message'),
    'Control-Queue': text.describe('send call commands here, on callctl'),
    'Custom-Channel-Vars': customChannelVars.optional(),
    'Switch-Hostname': z.string().optional(),
  },
  summary: 'Your route_resp won: the call is parked and controllable. Msg-ID = Call-ID, Server-ID = Control-Queue.',
  sender: 'ecallmgr',
  responder: 'winning route_resp sender',
  example: {
    ...sample.ecallmgr,
    'Msg-ID': sample.callId,
    'Server-ID': sample.controlQueue,
    'Call-ID': sample.callId,
    'Control-Queue': sample.controlQueue,
    'Custom-Channel-Vars': { 'Account-ID': sample.accountId, 'Application-Name': 'router' },
  },
});

export const route = { req: routeReq, resp: routeResp, win: routeWin } as const;
