import { CCV_PREFIX, varText } from './ccv.js';
import { dialValue, isSafeRawDialString, isSafeSipHost, isSafeSipUser, isSafeVarKey } from './escape.js';

/** A route object (route_resp) or endpoint object (bridge, originate): loose Kazoo fields. */
export type Endpoint = Readonly<Record<string, unknown>>;

export interface DialContext {
  /** Sofia profile for `sip:` routes and direct-IP endpoints. */
  sipProfile: string;
  /** Dialplan context a `loopback/` leg re-enters. */
  context: string;
}

/** A target as FreeSWITCH dials it, or a whole dial string given verbatim by a whapp. */
export type Target = { kind: 'leg'; target: string } | { kind: 'raw'; dialString: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const DIAL_META = /[,|{}<>[\]]|:_:/;
const CHANNEL_TECH = /^(sofia|user|loopback|error|freetdm|group|verto)\//;

function userTarget(user: string | undefined, realm: string | undefined): string | undefined {
  if (!user || !realm || !isSafeSipUser(user) || !isSafeSipHost(realm)) return undefined;
  return `user/${user}@${realm}`;
}

/**
 * A contact reached through a proxy carries `;fs_path=<sip:proxy;lr>` (as sofia_contact and Kazoo write it):
 * the only place angle brackets may appear in a SIP route, and then only around a plain SIP URI.
 */
const FS_PATH = /;fs_path=<sips?:[^\s,|{}<>[\]]+>/gi;

function sipRouteTarget(route: string, ctx: DialContext): Target | undefined {
  return /[\s,|{}<>[\]]/.test(route.replace(FS_PATH, '')) ? undefined : { kind: 'leg', target: `sofia/${ctx.sipProfile}/${route}` };
}

function routeTarget(route: string | undefined, ctx: DialContext): Target | undefined {
  if (!route || !isSafeRawDialString(route)) return undefined;
  if (/^sips?:/i.test(route)) return sipRouteTarget(route, ctx);
  if (DIAL_META.test(route)) return { kind: 'raw', dialString: route };
  return CHANNEL_TECH.test(route) && !/\s/.test(route) ? { kind: 'leg', target: route } : undefined;
}

/**
 * Where an endpoint rings (kazoo-wire §4.3 Invite-Format). Registration-based formats dial the user
 * through FreeSWITCH's `user/` endpoint, which asks the directory (action=user_call) for the dial-string.
 * Undefined when the endpoint cannot be dialled safely: Kazoo skips such routes.
 */
export function endpointTarget(ep: Endpoint, ctx: DialContext): Target | undefined {
  const format = str(ep['Invite-Format']);
  const toUser = str(ep['To-User']) ?? str(ep['To-Username']);
  const toDid = str(ep['To-DID']);
  const toIp = str(ep['To-IP']);
  if (format === 'route') return routeTarget(str(ep.Route), ctx);
  if (format === 'loopback') {
    const dest = str(ep.Route) ?? toDid;
    const context = str(ep.Context) ?? ctx.context;
    if (!dest || !isSafeSipUser(dest) || !isSafeVarKey(context)) return undefined;
    return { kind: 'leg', target: `loopback/${dest}/${context}` };
  }
  if (toIp) {
    // Dialled directly: a number format puts the number in the user part.
    const user = format === 'username' || format === 'contact' ? (toUser ?? toDid) : (toDid ?? toUser);
    if (!user || !isSafeSipUser(user) || !isSafeSipHost(toIp)) return undefined;
    return { kind: 'leg', target: `sofia/${ctx.sipProfile}/sip:${user}@${toIp}` };
  }
  // The registration belongs to the user; Kazoo's rewrite of its user part to the DID is not done here.
  const target = userTarget(toUser ?? toDid, str(ep['To-Realm']));
  return target ? { kind: 'leg', target } : undefined;
}

const SECONDS = /^\d{1,6}$/;

/** CCV keys Kazoo writes under a native FreeSWITCH name instead of `ecallmgr_<K>` (kazoo-wire §7.3, a selection). */
const SPECIAL_VARS: Record<string, string> = {
  'Endpoint-Timeout': 'leg_timeout',
  'Endpoint-Delay': 'leg_delay_start',
  'Endpoint-Progress-Timeout': 'leg_progress_timeout',
  'Progress-Timeout': 'leg_progress_timeout',
  'Ignore-Early-Media': 'ignore_early_media',
  'Presence-ID': 'presence_id',
  'Outbound-Call-ID': 'origination_uuid',
  'Auth-User': 'sip_auth_username',
  'Auth-Password': 'sip_auth_password',
  'Auth-Realm': 'sip_auth_realm',
  'Outbound-Caller-ID-Name': 'origination_caller_id_name',
  'Outbound-Caller-ID-Number': 'origination_caller_id_number',
  'Caller-ID-Name': 'origination_caller_id_name',
  'Caller-ID-Number': 'origination_caller_id_number',
  'Callee-ID-Name': 'origination_callee_id_name',
  'Callee-ID-Number': 'origination_callee_id_number',
};
const NUMERIC_VARS = new Set(['leg_timeout', 'leg_delay_start', 'leg_progress_timeout']);

function addVar(out: Map<string, string>, name: string, value: unknown): void {
  const text = varText(value);
  if (text === undefined || text === '') return;
  if (NUMERIC_VARS.has(name)) {
    if (SECONDS.test(text)) out.set(name, text);
    return;
  }
  out.set(name, dialValue(text));
}

/**
 * The per-leg variables of an endpoint, values escaped for the `[...]` block. Later sources win:
 * CCVs (as the router sends Endpoint-Delay/Endpoint-Timeout), then the endpoint's own fields.
 */
export function legVars(ep: Endpoint): Map<string, string> {
  const out = new Map<string, string>();
  const ccvs = ep['Custom-Channel-Vars'];
  if (ccvs && typeof ccvs === 'object') {
    for (const [key, value] of Object.entries(ccvs as Record<string, unknown>)) {
      if (!isSafeVarKey(key)) continue;
      addVar(out, SPECIAL_VARS[key] ?? `${CCV_PREFIX}${key}`, value);
    }
  }
  const headers = ep['Custom-SIP-Headers'];
  if (headers && typeof headers === 'object') {
    for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
      if (/^X-[A-Za-z0-9\-_]{1,64}$/.test(key)) addVar(out, `sip_h_${key}`, value);
    }
  }
  for (const [field, name] of Object.entries(SPECIAL_VARS)) {
    if (ep[field] !== undefined && !field.startsWith('Outbound-Caller')) addVar(out, name, ep[field]);
  }
  // Outbound caller id is what the callee sees: it beats a plain Caller-ID on the same endpoint.
  addVar(out, 'origination_caller_id_name', ep['Outbound-Caller-ID-Name']);
  addVar(out, 'origination_caller_id_number', ep['Outbound-Caller-ID-Number']);
  const codecs = ep.Codecs;
  if (Array.isArray(codecs)) {
    const names = codecs.filter((c): c is string => typeof c === 'string' && /^[A-Za-z0-9.@_\-]{1,32}$/.test(c));
    if (names.length > 0) out.set('absolute_codec_string', names.length === 1 ? names[0]! : `'${names.join(',')}'`);
  }
  if (ep.Media === 'bypass' || ep['Bypass-Media'] === true || ep['Bypass-Media'] === 'true') out.set('bypass_media', 'true');
  return out;
}

export function varBlock(open: '{' | '[' | '<', vars: ReadonlyMap<string, string>): string {
  if (vars.size === 0) return '';
  const close = open === '{' ? '}' : open === '[' ? ']' : '>';
  return `${open}${[...vars].map(([k, v]) => `${k}=${v}`).join(',')}${close}`;
}

/** `[vars]target` for one dialable endpoint, or undefined (unsafe or raw). */
export function legString(ep: Endpoint, ctx: DialContext): string | undefined {
  const target = endpointTarget(ep, ctx);
  if (!target || target.kind !== 'leg') return undefined;
  return varBlock('[', legVars(ep)) + target.target;
}

/**
 * A bridge dial string: global `{}` vars, then groups joined by `|` (tried in turn), legs inside a
 * group joined by `,` (ring together). Legs that cannot be dialled are dropped; empty groups too.
 */
export function dialString(groups: readonly (readonly Endpoint[])[], ctx: DialContext, globals: ReadonlyMap<string, string> = new Map()): string | undefined {
  const rendered = groups
    .map((group) => group.map((ep) => legString(ep, ctx)).filter((s): s is string => s !== undefined).join(','))
    .filter((g) => g.length > 0);
  if (rendered.length === 0) return undefined;
  return varBlock('{', globals) + rendered.join('|');
}

/** Bridge `single` method: each endpoint is its own group, tried in turn (`|`). */
export function stepsOfEndpoints(endpoints: readonly Endpoint[]): Endpoint[][] {
  return endpoints.map((ep) => [ep]);
}
