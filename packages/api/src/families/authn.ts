import { z } from 'zod';
import { defineMessage } from '../define.js';
import { bool, flag, int, numericText, text } from '../lenient.js';
import { routingKey, targetedKey, uriParts } from '../routing-key.js';
import { customChannelVars, customSipHeaders, sample } from './common.js';

/** kapi_authn: SIP credential lookup (kazoo-wire §2). */

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const isIpRealm = (realm: string): boolean => IPV4.test(realm) || realm.includes(':') || realm.startsWith('[');

/**
 * `authn.req.<realm>`: Kazoo lowercases the realm and, when Auth-Realm is an IP address, keys on the
 * domain of `To` instead. (Kamailio keys on the From domain as received; for the domains it sends,
 * never IP literals, the two agree once lowercased.)
 */
export function authnReqKey(msg: { 'Auth-Realm': string; To: string }): string {
  const realm = isIpRealm(msg['Auth-Realm']) ? uriParts(msg.To).realm || msg['Auth-Realm'] : msg['Auth-Realm'];
  return routingKey({ raw: 'authn.req' }, realm.toLowerCase());
}

export const authnReq = defineMessage({
  category: 'directory',
  name: 'authn_req',
  exchange: 'callmgr',
  routingKey: authnReqKey,
  bindingKeys: ['authn.req.*'],
  fields: {
    To: text.describe('user@realm, or a full SIP URI from Kamailio'),
    From: text,
    'Auth-User': text,
    'Auth-Realm': text,
    Method: z.string().optional().describe('SIP method (REGISTER) or lookup kind (password, reverse-lookup)'),
    'Auth-Nonce': z.string().optional(),
    'Auth-Response': z.string().optional(),
    'Orig-IP': z.string().optional(),
    'Orig-Port': numericText.optional(),
    'Call-ID': z.string().optional().describe('the SIP Call-ID'),
    'User-Agent': z.string().optional(),
    Contact: z.string().optional(),
    Expires: int.optional(),
    'Switch-Hostname': z.string().optional(),
    'Custom-SIP-Headers': customSipHeaders.optional(),
  },
  summary: 'Asks for the credentials of a SIP user (directory fetch or REGISTER).',
  sender: 'ecallmgr, Kamailio',
  responder: 'registrar',
  replies: ['authn_resp', 'authn_err'],
  example: {
    ...sample.ecallmgr,
    'Msg-ID': '5d2a7c10-7d3f-11ee-9f4b-00163e5a1c2d',
    'Server-ID': 'ecallmgr@fs-a.example.net-reply-9d1c44b2',
    To: '1001@sip.example.com',
    From: '1001@sip.example.com',
    'Auth-User': '1001',
    'Auth-Realm': 'sip.example.com',
    Method: 'password',
    'Orig-IP': '198.51.100.23',
    'Orig-Port': '34012',
    Expires: '3600',
  },
});

export const authMethods = ['password', 'a1-hash', 'ip', 'error', 'gsm', 'nonce', 'a3a8'] as const;

export const authnResp = defineMessage({
  category: 'directory',
  name: 'authn_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    'Auth-Method': z.enum(authMethods),
    'Auth-Password': text.describe('clear password (password) or hex MD5 of user:realm:password (a1-hash); Kamailio needs clear'),
    'Auth-Username': z.string().optional(),
    'Auth-Nonce': z.string().optional(),
    'Custom-Channel-Vars': customChannelVars.optional(),
    'Custom-SIP-Headers': customSipHeaders.optional(),
    Expires: int.optional(),
    'Suppress-Unregister-Notifications': bool.optional(),
    'Register-Overwrite-Notify': bool.optional(),
    'Access-Group': z.string().optional(),
    'Tenant-ID': z.string().optional(),
  },
  summary: "The user's credentials and channel variables; Msg-ID copied from authn_req.",
  sender: 'registrar',
  responder: 'ecallmgr, Kamailio',
  example: {
    'App-Name': 'registrar',
    'App-Version': '1.0.0',
    Node: 'registrar@apps1.example.net',
    'Msg-ID': '5d2a7c10-7d3f-11ee-9f4b-00163e5a1c2d',
    'Auth-Method': 'password',
    'Auth-Password': 'Zx8qL2vW9pRt',
    'Custom-Channel-Vars': {
      'Account-ID': sample.accountId,
      'Authorizing-ID': sample.deviceId,
      'Authorizing-Type': 'device',
      Username: '1001',
      Realm: 'sip.example.com',
    },
  },
});

export const authnErr = defineMessage({
  category: 'directory',
  name: 'authn_err',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    'Permanent-Error': flag
      .optional()
      .describe('Kamailio only (not a kapi field): "true" caches the user as a permanent failure'),
  },
  summary:
    'User unknown or disabled. Sent with Defer-Response "true": ecallmgr then waits for its timeout, Kamailio rejects at once (401).',
  sender: 'registrar',
  responder: 'ecallmgr, Kamailio',
  example: {
    'App-Name': 'registrar',
    'App-Version': '1.0.0',
    Node: 'registrar@apps1.example.net',
    'Msg-ID': '0f8e3c1a-52b4-4d1e-9a6f-2c7b8d9e0a11',
    'Defer-Response': 'true',
    'Permanent-Error': 'true',
  },
});

export const authn = { req: authnReq, resp: authnResp, err: authnErr } as const;
