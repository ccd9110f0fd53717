import { createHash } from 'node:crypto';

/**
 * HA1 of RFC 2617 digest authentication, hex MD5 of `user:realm:password`: what FreeSWITCH accepts as
 * the directory's `a1-hash` param, so the clear password never has to leave the registrar.
 */
export function a1Hash(username: string, realm: string, password: string): string {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
}

/** RFC 2617 response without qop, from an HA1 (used to prove an a1-hash matches what a phone computed). */
export function digestResponse(ha1: string, method: string, uri: string, nonce: string): string {
  const ha2 = createHash('md5').update(`${method}:${uri}`).digest('hex');
  return createHash('md5').update(`${ha1}:${nonce}:${ha2}`).digest('hex');
}
