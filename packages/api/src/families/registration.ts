import { z } from 'zod';
import { defineMessage } from '../define.js';
import { bool, count, flag, int, numericText, text } from '../lenient.js';
import { routingKey, targetedKey } from '../routing-key.js';
import { customChannelVars, sample } from './common.js';

/** kapi_registration on the `registrar` exchange (kazoo-wire §3, Kamailio side §8.1). */

/** Fields of reg_success; a registration object in reg_query_resp holds these and a few more. */
const registrationFields = {
  'Event-Timestamp': int.describe('Gregorian seconds from ecallmgr, Unix seconds from Kamailio: see toUnixSeconds'),
  Contact: text,
  Expires: int.describe('seconds; 0 means unregister'),
  Username: text,
  Realm: text,
  Status: z.string().optional().describe('Kamailio: Registered / Unregistered; sync answers: Success'),
  'First-Registration': bool.optional(),
  'Call-ID': z.string().optional().describe('SIP Call-ID of the REGISTER'),
  'User-Agent': z.string().optional(),
  'From-User': z.string().optional(),
  'From-Host': z.string().optional(),
  'To-User': z.string().optional(),
  'To-Host': z.string().optional(),
  'Network-IP': z.string().optional(),
  'Network-Port': numericText.optional(),
  'Source-IP': z.string().optional(),
  'Source-Port': numericText.optional(),
  'Proxy-Path': z.string().optional(),
  'Proxy-Protocol': z.string().optional(),
  'Proxy-IP': z.string().optional(),
  'Proxy-Port': numericText.optional(),
  'Original-Contact': z.string().optional(),
  'Custom-Channel-Vars': customChannelVars.optional(),
  'Account-ID': z.string().optional(),
  'Account-DB': z.string().optional(),
  'Authorizing-ID': z.string().optional(),
  'Suppress-Unregister-Notify': bool.optional(),
  'Register-Overwrite-Notify': bool.optional(),
  'Profile-Name': z.string().optional(),
  'Presence-Hosts': z.string().optional(),
  RPid: z.string().optional(),
  AOR: z.string().optional(),
  RUID: z.string().optional(),
  'Registrar-Node': z.string().optional(),
  'FreeSWITCH-Hostname': z.string().optional(),
  'FreeSWITCH-Nodename': z.string().optional(),
  'Fife-Replayed': bool
    .optional()
    .describe(
      'Fife extension: re-sent by the ecallmgr that took over a FreeSWITCH node, for a registration event the node fired shortly before; the previous holder may have published it already (storing it twice is harmless)',
    ),
};

export const regSuccess = defineMessage({
  category: 'directory',
  name: 'reg_success',
  exchange: 'registrar',
  routingKey: (msg) => routingKey({ raw: 'registration.success' }, msg.Realm, msg.Username),
  bindingKeys: ['registration.success.*.*'],
  fields: registrationFields,
  summary:
    'A contact registered (or, with Expires 0, unregistered). Also sent straight to targeted/Server-ID when answering reg_sync.',
  sender: 'Kamailio, ecallmgr',
  responder: 'registrar',
  example: {
    ...sample.ecallmgr,
    'Msg-ID': '7c41d2e0-3b5a-4f68-9d1e-0a2b3c4d5e6f',
    Status: 'Registered',
    'Event-Timestamp': 1710251074,
    Expires: 3600,
    'First-Registration': true,
    Contact: '<sip:1001@192.168.1.20:5060;transport=udp>',
    Realm: 'sip.example.com',
    Username: '1001',
    'Source-IP': '198.51.100.23',
    'Source-Port': '34012',
  },
});

/** A registration as reg_query_resp returns it: reg_success fields plus what the registrar derived. */
export const registrationObject = z
  .looseObject({
    ...registrationFields,
    'Account-Realm': z.string(),
    'Account-Name': z.string(),
    'Authorizing-Type': z.string(),
    'Owner-ID': z.string(),
    'Presence-ID': z.string(),
    'Previous-Contact': z.string(),
    'Bridge-RURI': z.string().describe('sip:<Username>@<Realm> with fs_path=<Proxy-Path>'),
    'Initial-Registration': int,
    'Last-Registration': int,
    'Registrar-Hostname': z.string(),
  })
  // Replies are reduced to the requested field names, so nothing in one is required.
  .partial();

export const regQuery = defineMessage({
  category: 'directory',
  name: 'reg_query',
  exchange: 'registrar',
  // Without a Username the key ends in a literal `*`, which a `*.*` binding still matches (kazoo-wire §3).
  routingKey: (msg) => routingKey({ raw: 'registration.query' }, msg.Realm ?? '*', msg.Username ?? '*'),
  bindingKeys: ['registration.query.*.*'],
  fields: {
    Realm: z.string().optional().describe('in the routing key; "all" matches every registration'),
    Username: z.string().optional(),
    'Count-Only': bool.optional(),
    Fields: z.array(z.string()).optional().describe('reg_success field names (or Bridge-RURI) to return; [] = all'),
  },
  summary: 'Who is registered as user@realm? Every registrar answers: collect the replies.',
  sender: 'router, integrators, Kamailio',
  responder: 'registrar (and every Kazoo ecallmgr)',
  replies: ['reg_query_resp', 'reg_query_error'],
  example: {
    ...sample.whapp,
    'Msg-ID': 'a94f0c3e5b7d19f2c8e6a4b2d0f1e3c5',
    'Server-ID': sample.replyQueue,
    Realm: 'sip.example.com',
    Username: '1001',
    Fields: ['Contact', 'Expires', 'Proxy-Path'],
  },
});

export const regQueryResp = defineMessage({
  category: 'directory',
  name: 'reg_query_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    Fields: z.array(registrationObject).optional().describe('one object per matching registration; [] with Count-Only'),
    Count: count.optional(),
    'Registrar-Age': count.optional().describe('seconds since this responder started'),
  },
  summary: 'The matching registrations, each reduced to the requested fields.',
  sender: 'registrar',
  responder: 'reg_query sender',
  example: {
    'App-Name': 'registrar',
    'App-Version': '1.0.0',
    Node: 'registrar@apps1.example.net',
    'Msg-ID': 'a94f0c3e5b7d19f2c8e6a4b2d0f1e3c5',
    'Registrar-Age': 86400,
    Fields: [{ Contact: 'sip:1001@192.168.1.20:5060', Expires: 3780, 'Proxy-Path': 'sip:10.0.0.5:5060' }],
  },
});

export const regQueryError = defineMessage({
  category: 'directory',
  // The event name really is reg_query_error (Kazoo's function is query_err): kazoo-wire §3.
  name: 'reg_query_error',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: { 'Registrar-Age': count.optional() },
  summary: 'No registration matches the query.',
  sender: 'registrar',
  responder: 'reg_query sender',
  example: {
    'App-Name': 'registrar',
    'App-Version': '1.0.0',
    Node: 'registrar@apps1.example.net',
    'Msg-ID': 'a94f0c3e5b7d19f2c8e6a4b2d0f1e3c5',
    'Registrar-Age': 86400,
  },
});

export const regFlush = defineMessage({
  category: 'directory',
  name: 'reg_flush',
  exchange: 'registrar',
  routingKey: (msg) => routingKey({ raw: 'registration.flush' }, msg.Realm),
  bindingKeys: ['registration.flush.*'],
  fields: {
    Realm: text,
    Username: z.string().optional(),
    'Cache-Only': flag.optional().describe('Kamailio only (not a kapi field): drop the cached password, keep contacts'),
  },
  summary: 'Drop cached registration state for a user or a whole realm.',
  sender: 'provisioning, integrators',
  responder: 'registrar, Kamailio',
  example: { ...sample.whapp, 'Msg-ID': 'f1e2d3c4b5a69788', Realm: 'sip.example.com', Username: '1001' },
});

export const regSync = defineMessage({
  category: 'directory',
  name: 'reg_sync',
  exchange: 'registrar',
  routingKey: () => 'registration.sync',
  bindingKeys: ['registration.sync'],
  fields: {},
  summary: "Asks registrars to re-publish every contact they hold, as reg_success sent to this message's Server-ID.",
  sender: 'ecallmgr (when it starts consuming)',
  responder: 'Kamailio (registrar-sync role), registrar',
  replies: ['reg_success'],
  example: { ...sample.ecallmgr, 'Msg-ID': '2b3c4d5e6f708192', 'Server-ID': 'ecallmgr@fs-a.example.net-reply-9d1c44b2' },
});

export const registration = {
  success: regSuccess,
  query: regQuery,
  queryResp: regQueryResp,
  queryError: regQueryError,
  flush: regFlush,
  sync: regSync,
} as const;
