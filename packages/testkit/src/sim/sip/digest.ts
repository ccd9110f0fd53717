import { createHash } from 'node:crypto';

export const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

export const ha1Of = (user: string, realm: string, password: string): string => md5(`${user}:${realm}:${password}`);

/** The Authorization header fields a phone sends back after a 401/407 challenge. */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  qop: string;
  nc: string;
  cnonce: string;
  response: string;
  method: string;
}

/** RFC 2617 response with qop=auth: MD5(HA1:nonce:nc:cnonce:qop:MD5(method:uri)). */
export function digestResponse(ha1: string, c: Omit<DigestCredentials, 'response' | 'username' | 'realm'>): string {
  const ha2 = md5(`${c.method}:${c.uri}`);
  if (!c.qop) return md5(`${ha1}:${c.nonce}:${ha2}`);
  return md5(`${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:${c.qop}:${ha2}`);
}

/** What the phone computes from its own password. */
export function phoneCredentials(
  user: string,
  realm: string,
  password: string,
  method: string,
  uri: string,
  nonce: string,
  cnonce: string,
): DigestCredentials {
  const base = { nonce, uri, qop: 'auth', nc: '00000001', cnonce, method };
  return { ...base, username: user, realm, response: digestResponse(ha1Of(user, realm, password), base) };
}
