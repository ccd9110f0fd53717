import { inertValue } from './escape.js';
import { first, get, type Fields } from './fields.js';
import { prefixedVars, CCV_PREFIX } from './ccv.js';
import { directoryDocument, type NameValue } from './xml.js';

/** What a directory fetch asks for, once classified. */
export type DirectoryRequest =
  | { kind: 'authn'; action: 'sip_auth' | 'user_call' | 'reverse-auth-lookup'; user: string; domain: string }
  | { kind: 'ignored'; reason: string };

const ANSWERED_ACTIONS = new Set(['sip_auth', 'user_call', 'reverse-auth-lookup']);

/**
 * Three directory lookups are answered over AMQP: a digest check (`sip_auth`, REGISTER or INVITE), the
 * `user/` endpoint (`user_call`, so a bridge to `user/1001@realm` finds the user and its dial-string) and
 * sofia's `reverse-auth-lookup` (a phone challenges a call FreeSWITCH sends it: which credentials answer).
 * Everything else (gateways at profile start, ...) gets "not found".
 */
export function classifyDirectory(params: Fields): DirectoryRequest {
  if (get(params, 'section') !== 'directory') return { kind: 'ignored', reason: 'not a directory fetch' };
  const action = get(params, 'action');
  if (!action || !ANSWERED_ACTIONS.has(action)) return { kind: 'ignored', reason: `action ${action ?? '(none)'} not handled` };
  const user = first(params, 'user', 'sip_auth_username');
  const domain = first(params, 'domain', 'key_value', 'sip_auth_realm');
  if (!user || !domain) return { kind: 'ignored', reason: 'no user or domain' };
  return { kind: 'authn', action: action as 'sip_auth' | 'user_call' | 'reverse-auth-lookup', user, domain };
}

/** Realm rules of kazoo-wire §7.1: sip_auth_realm, else domain, else the host of sip_auth_uri; lowercased, cut at `:`/`;`. */
export function authRealm(params: Fields): string {
  const uriHost = get(params, 'sip_auth_uri')?.replace(/^sips?:/i, '').replace(/^.*@/, '');
  const raw = first(params, 'sip_auth_realm', 'domain') ?? uriHost ?? '';
  return raw.replace(/[:;].*$/, '').toLowerCase();
}

function userAt(user: string | undefined, host: string | undefined, fallback: string): string {
  return user && host ? `${user}@${host}` : fallback;
}

/** authn_req fields for a directory fetch (Msg-ID = the fetch id), kazoo-wire §7.1. */
export function authnReqFields(params: Fields, req: Extract<DirectoryRequest, { kind: 'authn' }>, fetchId: string): Record<string, unknown> {
  const fallback = `${req.user}@${req.domain}`;
  const realm = authRealm(params);
  const fields: Record<string, unknown> = {
    'Msg-ID': fetchId,
    'Auth-User': req.user,
    // An IP realm stays as sent: authnReqKey then keys the request on the domain of To (kazoo-wire §2).
    'Auth-Realm': realm || req.domain.toLowerCase(),
    To: userAt(get(params, 'sip_to_user'), get(params, 'sip_to_host'), fallback),
    From: userAt(get(params, 'sip_from_user'), get(params, 'sip_from_host'), fallback),
    // Kazoo names the lookup kind here: a reverse lookup needs the clear password back.
    Method: req.action === 'reverse-auth-lookup' ? 'reverse-lookup' : 'password',
    'Orig-IP': first(params, 'sip_h_X-AUTH-IP', 'ip'),
    'Orig-Port': first(params, 'sip_h_X-AUTH-PORT', 'client_port'),
    'Auth-Nonce': get(params, 'sip_auth_nonce'),
    'Auth-Response': get(params, 'sip_auth_response'),
    'Call-ID': get(params, 'sip_call_id'),
    'User-Agent': get(params, 'sip_user_agent'),
    Expires: numeric(get(params, 'expires')),
    'Switch-Hostname': first(params, 'FreeSWITCH-Hostname', 'hostname'),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function numeric(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * What `user/<u>@<d>` dials: every registered contact of the user on this FreeSWITCH. Ours, not from a
 * request, so its `${...}` are meant to expand.
 */
export const USER_DIAL_STRING =
  '{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}';

export type AuthnAnswer = { 'Auth-Method': string; 'Auth-Password': string; 'Auth-Username'?: string; 'Custom-Channel-Vars'?: Record<string, unknown> };

/**
 * The directory entry for an authn_resp, or undefined when the method is one FreeSWITCH cannot check
 * (`ip`, `gsm`, `error`, ...): then the fetch is answered "not found". The domain and user id are the
 * ones FreeSWITCH asked for, so its (case-insensitive) lookup always finds them.
 */
export function directoryAnswer(req: Extract<DirectoryRequest, { kind: 'authn' }>, resp: AuthnAnswer): string | undefined {
  if (req.action === 'reverse-auth-lookup') return reverseAuthAnswer(req, resp);
  const method = resp['Auth-Method'];
  if (method !== 'password' && method !== 'a1-hash') return undefined;
  const ccvs = resp['Custom-Channel-Vars'];
  const variables: NameValue[] = prefixedVars(CCV_PREFIX, ccvs).map(([n, v]) => [n, inertValue(v)] as const);
  const presence = ccvs?.['Presence-ID'];
  if (typeof presence === 'string' && presence !== '') variables.push(['presence_id', inertValue(presence)]);
  return directoryDocument({
    domain: req.domain,
    id: req.user,
    // The secret is read raw by sofia (never expanded), so it is only XML-escaped.
    params: [[method, resp['Auth-Password']]],
    variables,
    domainParams: [['dial-string', USER_DIAL_STRING]],
  });
}

/**
 * reverse-auth-lookup: sofia answers a phone's challenge with `reverse-auth-user` / `reverse-auth-pass`. Only
 * a clear password can answer a digest challenge, so an a1-hash (or any other method) is "not found".
 */
function reverseAuthAnswer(req: Extract<DirectoryRequest, { kind: 'authn' }>, resp: AuthnAnswer): string | undefined {
  if (resp['Auth-Method'] !== 'password' || !resp['Auth-Password']) return undefined;
  return directoryDocument({
    domain: req.domain,
    id: req.user,
    params: [
      ['reverse-auth-user', resp['Auth-Username'] ?? req.user],
      ['reverse-auth-pass', resp['Auth-Password']],
    ],
    variables: [],
  });
}
