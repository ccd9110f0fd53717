import { registrationObject, type MessageOf, type regQuery } from '@fife/api';
import { isLive } from './expiry.js';
import { realmKey } from './realm.js';
import type { RegistrationRecord } from './registration.js';
import { toGregorianSeconds } from './time.js';

export type RegQuery = MessageOf<typeof regQuery>;
export type RegistrationObject = Record<string, unknown>;

/** `Realm: all` (or none) matches every realm; no Username matches every user of the realm. */
export function matchesQuery(record: RegistrationRecord, query: Pick<RegQuery, 'Realm' | 'Username'>): boolean {
  const realm = query.Realm?.trim();
  if (realm && realm.toLowerCase() !== 'all' && realm !== '*' && realmKey(record.realm) !== realmKey(realm)) return false;
  const user = query.Username?.trim();
  return !user || user === '*' || record.username.toLowerCase() === user.toLowerCase();
}

/** Live bindings matching the query, most recently registered first (requesters pick the newest). */
export function selectRegistrations(records: Iterable<RegistrationRecord>, query: Pick<RegQuery, 'Realm' | 'Username'>, nowUnix: number): RegistrationRecord[] {
  const out: RegistrationRecord[] = [];
  for (const record of records) if (isLive(record, nowUnix) && matchesQuery(record, query)) out.push(record);
  return out.sort((a, b) => b.last_registration - a.last_registration || b.updated_ms - a.updated_ms);
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The CCV-derived identity fields, flat fields of the reg_success winning over the CCVs. */
function identityFields(wire: Record<string, unknown>): Record<string, string> {
  const ccv = (wire['Custom-Channel-Vars'] ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of ['Account-ID', 'Authorizing-ID', 'Owner-ID', 'Account-Realm', 'Account-Name', 'Authorizing-Type', 'Presence-ID']) {
    const value = str(wire[key]) ?? str(ccv[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** `sip:<user>@<realm>;fs_path=<proxy>`: how ecallmgr reaches a phone registered through a proxy. */
export function bridgeRuri(record: RegistrationRecord): string | undefined {
  return record.path ? `sip:${record.username}@${record.realm};fs_path=<${record.path}>` : undefined;
}

/** A binding as reg_query_resp carries it (kazoo-wire §3.2): the reg_success fields plus what the registrar derived. */
export function registrationObjectOf(record: RegistrationRecord, registrarHostname: string): RegistrationObject {
  const { wire } = record;
  const ruri = bridgeRuri(record);
  // The proxy or FreeSWITCH the phone registered with (the reg_success sender when it names none).
  const registrarNode = str(wire['Registrar-Node']) ?? str(wire.Node) ?? record.node;
  const object: RegistrationObject = {
    ...wire,
    ...record.identity,
    ...identityFields(wire),
    Contact: record.contact_uri,
    'Original-Contact': str(wire['Original-Contact']) ?? record.contact,
    Expires: record.reported_expires,
    'Event-Timestamp': toGregorianSeconds(record.event_timestamp),
    'Initial-Registration': toGregorianSeconds(record.initial_registration),
    'Last-Registration': toGregorianSeconds(record.last_registration),
    ...(ruri ? { 'Bridge-RURI': ruri } : {}),
    ...(registrarNode ? { 'Registrar-Node': registrarNode } : {}),
    'Registrar-Hostname': registrarHostname,
  };
  delete object.Node;
  delete object.Status;
  // Whatever a peer sent that does not fit the declared types is left out rather than failing the reply.
  const checked = registrationObject.safeParse(object);
  if (checked.success) return object;
  for (const issue of checked.error.issues) delete object[String(issue.path[0])];
  return object;
}

/** Keeps the requested field names, in the requested order; `[]` or no Fields = everything. */
export function reduceToFields(object: RegistrationObject, fields: readonly string[] | undefined): RegistrationObject {
  if (!fields || fields.length === 0) return object;
  const out: RegistrationObject = {};
  for (const name of fields) if (object[name] !== undefined) out[name] = object[name];
  return out;
}

export type QueryAnswer =
  | { kind: 'resp'; fields: { Fields: RegistrationObject[]; Count?: number; 'Registrar-Age': number } }
  | { kind: 'error'; fields: { 'Registrar-Age': number } };

/**
 * reg_query_resp with one object per live binding, or `reg_query_error` when none matches. A Count-Only
 * query is always answered with its count (0 included): "how many" has an answer even when it is none.
 */
export function answerQuery(
  records: Iterable<RegistrationRecord>,
  query: RegQuery,
  context: { nowUnix: number; registrarAge: number; hostname: string },
): QueryAnswer {
  const matches = selectRegistrations(records, query, context.nowUnix);
  const age = context.registrarAge;
  if (query['Count-Only']) return { kind: 'resp', fields: { Fields: [], Count: matches.length, 'Registrar-Age': age } };
  if (matches.length === 0) return { kind: 'error', fields: { 'Registrar-Age': age } };
  const objects = matches.map((r) => reduceToFields(registrationObjectOf(r, context.hostname), query.Fields));
  return { kind: 'resp', fields: { Fields: objects, 'Registrar-Age': age } };
}
