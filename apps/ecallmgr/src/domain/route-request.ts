import { cavsOf, ccvsOf, customSipHeadersOf } from './ccv.js';
import { first, get, variable, type Fields } from './fields.js';

/** The call a dialplan fetch is about: enough to route it and to answer in the right context. */
export interface DialplanFetch {
  callId: string;
  context: string;
  destination: string;
  hostname: string | undefined;
  coreUuid: string | undefined;
}

export function classifyDialplan(params: Fields): DialplanFetch | undefined {
  if (get(params, 'section') !== 'dialplan') return undefined;
  const callId = first(params, 'Unique-ID', 'Caller-Unique-ID', 'variable_uuid');
  const destination = first(params, 'Hunt-Destination-Number', 'Caller-Destination-Number');
  if (!callId || !destination) return undefined;
  return {
    callId,
    destination,
    // FreeSWITCH looks for the context the call is in (then `global`): answer in exactly that one.
    context: first(params, 'Hunt-Context', 'Caller-Context') ?? 'default',
    hostname: first(params, 'FreeSWITCH-Hostname', 'hostname'),
    coreUuid: get(params, 'Core-UUID'),
  };
}

/** `user@host` without scheme, display name or port. */
function bareAor(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.replace(/^.*</, '').replace(/>.*$/, '').replace(/^sips?:/i, '').replace(/;.*$/, '');
  const at = v.lastIndexOf('@');
  if (at < 0) return v.replace(/:\d+$/, '');
  return `${v.slice(0, at)}@${v.slice(at + 1).replace(/:\d+$/, '')}`;
}

function objectOrUndefined<T extends object>(value: T): T | undefined {
  return Object.keys(value).length > 0 ? value : undefined;
}

/**
 * route_req fields for a dialplan fetch (kazoo-wire §4.2): Msg-ID = the fetch id, Call-ID = the channel
 * UUID; CCVs recovered from `ecallmgr_*` variables plus `Fetch-ID`.
 */
export function routeReqFields(params: Fields, fetch: DialplanFetch, fetchId: string, mediaServer: string): Record<string, unknown> {
  const domain = first(params, 'variable_domain_name', 'variable_sip_req_host', 'variable_sip_to_host', 'FreeSWITCH-IPv4') ?? 'unknown';
  const callerNumber = get(params, 'Caller-Caller-ID-Number');
  const from = bareAor(first(params, 'variable_presence_id', 'Channel-Presence-ID', 'variable_sip_from_uri')) ?? `${callerNumber ?? 'unknown'}@${domain}`;
  const to = bareAor(first(params, 'variable_sip_to_uri', 'variable_sip_req_uri')) ?? `${fetch.destination}@${domain}`;
  const requestHost = first(params, 'variable_sip_req_host', 'variable_domain_name') ?? domain;
  const ccvs = { ...ccvsOf(params), 'Fetch-ID': fetchId };
  const fields: Record<string, unknown> = {
    'Msg-ID': fetchId,
    'Call-ID': fetch.callId,
    'Resource-Type': 'audio',
    'Call-Direction': first(params, 'Call-Direction', 'Caller-Direction'),
    From: from,
    To: to,
    Request: `${fetch.destination}@${requestHost}`,
    'Destination-Number': fetch.destination,
    'Caller-ID-Name': first(params, 'Caller-Caller-ID-Name', 'variable_effective_caller_id_name'),
    'Caller-ID-Number': callerNumber,
    'Custom-Channel-Vars': ccvs,
    'Custom-Application-Vars': objectOrUndefined(cavsOf(params)),
    'Custom-SIP-Headers': objectOrUndefined(customSipHeadersOf(params)),
    Context: fetch.context,
    'From-Network-Addr': first(params, 'variable_sip_network_ip', 'Caller-Network-Addr'),
    'From-Network-Port': variable(params, 'sip_network_port'),
    'From-Tag': variable(params, 'sip_from_tag'),
    'To-Tag': variable(params, 'sip_to_tag'),
    'SIP-Request-Host': variable(params, 'sip_req_host'),
    'User-Agent': variable(params, 'sip_user_agent'),
    'Switch-Hostname': fetch.hostname,
    'Switch-Nodename': mediaServer,
    'Origination-Call-ID': variable(params, 'origination_uuid'),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
