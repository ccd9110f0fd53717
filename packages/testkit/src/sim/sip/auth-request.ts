import { randomUUID } from 'node:crypto';
import { SITES } from '../event-factory.js';
import type { FsEvent } from '../event.js';
import type { FetchKey } from '../xml-curl.js';
import { type DigestCredentials, phoneCredentials } from './digest.js';
import type { SipHost } from './sip-host.js';

export interface AuthAttempt {
  method: 'REGISTER' | 'INVITE';
  user: string;
  domain: string;
  password: string;
  ip: string;
  port: number;
  userAgent: string;
  callId: string;
  /** INVITE only: who is being called. */
  toUser?: string;
}

/** The directory lookup sofia_reg_parse_auth makes for a digest-authenticated REGISTER or INVITE. */
export function buildAuthFetch(host: SipHost, a: AuthAttempt): { key: FetchKey; params: FsEvent; creds: DigestCredentials } {
  const uri = `sip:${a.domain}:${host.sipPort}`;
  const creds = phoneCredentials(a.user, a.domain, a.password, a.method, uri, randomUUID(), randomUUID().slice(0, 8));
  const params = host.events.create('REQUEST_PARAMS', SITES.dirAuth);
  const invite = a.method === 'INVITE';
  params
    .add('action', 'sip_auth')
    .add('sip_profile', host.profileName)
    .add('sip_user_agent', a.userAgent)
    .add('sip_auth_username', a.user)
    .add('sip_auth_realm', a.domain)
    .add('sip_auth_nonce', creds.nonce)
    .add('sip_auth_uri', uri)
    .add('sip_contact_user', a.user)
    .add('sip_contact_host', a.ip)
    .add('sip_to_user', invite ? (a.toUser ?? '') : a.user)
    .add('sip_to_host', a.domain);
  if (invite) params.add('sip_to_port', String(host.sipPort));
  params.add('sip_via_protocol', 'udp').add('sip_from_user', a.user).add('sip_from_host', a.domain).add('sip_call_id', a.callId);
  if (invite) params.add('sip_request_user', a.toUser ?? '');
  params.add('sip_request_host', a.domain);
  if (invite) params.add('sip_request_port', String(host.sipPort));
  params
    .add('sip_auth_qop', creds.qop)
    .add('sip_auth_cnonce', creds.cnonce)
    .add('sip_auth_nc', creds.nc)
    .add('sip_auth_response', creds.response)
    .add('sip_auth_method', a.method)
    .add('client_port', String(a.port))
    .add('key', 'id')
    .add('user', a.user)
    .add('domain', a.domain)
    .add('ip', a.ip);
  return { key: { section: 'directory', tagName: 'domain', keyName: 'name', keyValue: a.domain }, params, creds };
}
