import type { Channel } from '../call/channel.js';
import type { DirectoryUser } from './directory.js';
import type { SimPhone } from './phone.js';
import type { SipHost } from './sip-host.js';

/** The A leg sofia creates for an INVITE from `phone` (profile and SIP variables as in the captures). */
export function newInboundChannel(host: SipHost, phone: SimPhone, to: string, callId: string): Channel {
  const user = phone.config.user;
  const name = `sofia/${host.profileName}/${user}@${phone.config.domain}`;
  const cidName = phone.config.callerIdName ?? user;
  return host.engine.newChannel({
    name,
    direction: 'inbound',
    hitDialplan: true,
    profile: {
      username: user, callerIdName: cidName, callerIdNumber: user, origCallerIdName: cidName,
      origCallerIdNumber: user, networkAddr: phone.config.ip, ani: user, destinationNumber: to,
      source: 'mod_sofia', context: 'public',
    },
    vars: [
      ['sip_from_user', user],
      ['sip_from_uri', `${user}@${phone.config.domain}`],
      ['sip_from_host', phone.config.domain],
      ['sip_call_id', callId],
      ['sip_network_ip', phone.config.ip],
      ['sip_network_port', String(phone.port)],
      ['sip_received_ip', phone.config.ip],
      ['sip_received_port', String(phone.port)],
      ['sip_via_protocol', 'udp'],
      ['sofia_profile_name', host.profileName],
      ['sip_req_user', to],
      ['sip_req_uri', `${to}@${phone.config.domain}:${host.sipPort}`],
      ['sip_req_host', phone.config.domain],
      ['sip_to_user', to],
      ['sip_to_host', phone.config.domain],
      ['sip_contact_user', user],
      ['sip_contact_uri', `${user}@${phone.config.ip}:${phone.port}`],
      ['sip_contact_host', phone.config.ip],
      ['sip_user_agent', phone.config.userAgent],
      ['read_codec', 'PCMU'],
      ['write_codec', 'PCMU'],
      ['endpoint_disposition', 'RECEIVED'],
    ],
  });
}

/** Directory variables land on the authenticated channel; user_context becomes its dialplan context. */
export function applyDirectoryUser(channel: Channel, phone: SimPhone, user: DirectoryUser): void {
  const u = phone.config.user;
  const d = phone.config.domain;
  channel.setVar('sip_authorized', 'true');
  for (const [k, v] of [['sip_number_alias', u], ['sip_auth_username', u], ['sip_auth_realm', d], ['number_alias', u],
    ['requested_user_name', u], ['requested_domain_name', d]] as const) channel.setVar(k, v);
  for (const [k, v] of user.variables) channel.setVar(k, v);
  channel.setVar('user_name', u);
  channel.setVar('domain_name', d);
  const context = channel.getVar('user_context');
  if (context) channel.profile.context = context;
  const name = channel.getVar('effective_caller_id_name');
  const number = channel.getVar('effective_caller_id_number');
  if (name) channel.profile.callerIdName = channel.profile.origCallerIdName = name;
  if (number) channel.profile.callerIdNumber = channel.profile.origCallerIdNumber = number;
}
