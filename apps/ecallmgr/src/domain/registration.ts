import { toGregorianSeconds } from '@fife/api';
import { CCV_PREFIX } from './ccv.js';
import { get, type Fields } from './fields.js';

export const REGISTRATION_SUBCLASSES = ['sofia::register', 'sofia::unregister', 'sofia::expire'] as const;

/** A sofia registration event (register, unregister or expiry). */
export function isRegistrationEvent(event: Fields): boolean {
  const subclass = get(event, 'Event-Subclass');
  return get(event, 'Event-Name') === 'CUSTOM' && subclass !== undefined && (REGISTRATION_SUBCLASSES as readonly string[]).includes(subclass);
}

/** `"Name" <sip:u@h:p;params>` → `sip:u@h:p;params` (Kazoo's ecallmgr sends the URI without brackets). */
export function contactUri(contact: string): string {
  const m = /<([^>]*)>/.exec(contact);
  return (m ? m[1]! : contact).trim();
}

/** Directory variables ride along on sofia::register without a `variable_` prefix: `ecallmgr_K` → CCV K. */
function ccvsOfRegistration(event: Fields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name.startsWith(CCV_PREFIX) && typeof value === 'string' && name.length > CCV_PREFIX.length) out[name.slice(CCV_PREFIX.length)] = value;
  }
  return out;
}

/**
 * reg_success fields for a sofia registration event, or undefined when the event is not one (or lacks the
 * AOR). Unregister and expiry are reg_success with Expires 0 and Status Unregistered, as Kamailio sends
 * them (sofia::expire carries an absolute time in `expires`, which is not a lifetime).
 */
export function regSuccessFields(event: Fields, nowMs: number): Record<string, unknown> | undefined {
  if (!isRegistrationEvent(event)) return undefined;
  const username = get(event, 'username') ?? get(event, 'user');
  const realm = get(event, 'realm') ?? get(event, 'host');
  const contact = get(event, 'contact');
  if (!username || !realm || !contact) return undefined;
  const registered = get(event, 'Event-Subclass') === 'sofia::register';
  const expires = registered ? get(event, 'expires') : '0';
  if (expires === undefined || !/^\d+$/.test(expires)) return undefined;
  const micros = get(event, 'Event-Date-Timestamp');
  const unix = micros && /^\d+$/.test(micros) ? Math.floor(Number(micros) / 1e6) : Math.floor(nowMs / 1000);
  const ccvs = ccvsOfRegistration(event);
  const host = get(event, 'FreeSWITCH-Hostname');
  const fields: Record<string, unknown> = {
    'Event-Timestamp': toGregorianSeconds(unix),
    Username: username,
    Realm: realm,
    Contact: contactUri(contact),
    'Original-Contact': contact,
    Expires: Number(expires),
    Status: registered ? 'Registered' : 'Unregistered',
    'Call-ID': get(event, 'call-id'),
    'User-Agent': get(event, 'user-agent'),
    'From-User': get(event, 'from-user'),
    'From-Host': get(event, 'from-host'),
    'To-User': get(event, 'to-user'),
    'To-Host': get(event, 'to-host'),
    'Network-IP': get(event, 'network-ip'),
    'Network-Port': get(event, 'network-port'),
    'Profile-Name': get(event, 'profile-name'),
    'Presence-Hosts': get(event, 'presence-hosts'),
    RPid: get(event, 'rpid'),
    'FreeSWITCH-Hostname': host,
    'FreeSWITCH-Nodename': host ? `freeswitch@${host}` : undefined,
    'Custom-Channel-Vars': Object.keys(ccvs).length > 0 ? ccvs : undefined,
    'Account-ID': ccvs['Account-ID'],
    'Authorizing-ID': ccvs['Authorizing-ID'],
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
