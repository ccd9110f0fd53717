import { isIP } from 'node:net';
import { uriParts } from '@fife/api';
import { canonicalHost } from './contact.js';

/** True for IPv4 and IPv6 literals, bracketed or not, with or without a port. */
export function isIpLiteral(value: string): boolean {
  const bare = value.trim().replace(/^\[(.*)\](:\d+)?$/, '$1');
  if (isIP(bare) !== 0) return true;
  return isIP(bare.replace(/:\d+$/, '')) === 4;
}

/** Realms are DNS names (or IP literals) and compare case-insensitively. */
export function realmKey(realm: string): string {
  return canonicalHost(realm.trim());
}

/** Source addresses compare in canonical form (`2001:0db8::0005` equals `2001:db8::5`). */
export function ipKey(ip: string): string {
  return canonicalHost(ip.trim());
}

export interface AuthnSubject {
  /** Username as the phone wrote it (the digest is computed over this exact text). */
  username: string;
  /** Realm as the phone wrote it (same reason). */
  realm: string;
  /** Realms to look the account up by, most specific first. */
  lookupRealms: string[];
  /** Auth-Realm is an IP address: Kazoo's registrar stays silent for such requests. */
  ipRealm: boolean;
}

/**
 * Who an authn_req asks about. `Auth-User: unknown` falls back to the user of `To` (Kazoo's rule). An IP
 * `Auth-Realm` is looked up literally first (an operator may have provisioned it), then by the domain of
 * `To` (the realm Kazoo would route it by).
 */
export function authnSubject(req: { 'Auth-User': string; 'Auth-Realm': string; To: string }): AuthnSubject {
  const to = uriParts(req.To);
  const username = req['Auth-User'].toLowerCase() === 'unknown' && to.user ? to.user : req['Auth-User'];
  const realm = req['Auth-Realm'];
  const ipRealm = isIpLiteral(realm);
  const lookupRealms = [realmKey(realm)];
  if (ipRealm && to.realm && !isIpLiteral(to.realm) && realmKey(to.realm) !== lookupRealms[0]) lookupRealms.push(realmKey(to.realm));
  return { username, realm, lookupRealms, ipRealm };
}
