import { createHash } from 'node:crypto';
import { z } from 'zod';
import { regSuccess, toUnixSeconds, type MessageOf } from '@fife/api';
import { bindingKey, tryParseContact } from './contact.js';
import { computeExpiry, type ExpiryPolicy } from './expiry.js';
import { realmKey } from './realm.js';

/** One binding (contact) of an AOR, as the registrar keeps it in memory and in CouchDB. */
export const registrationRecordSchema = z.object({
  id: z.string(),
  /** `user@realm`, lowercased: the lookup key. */
  aor: z.string(),
  username: z.string(),
  realm: z.string(),
  /** The Contact exactly as received. */
  contact: z.string(),
  /** The URI without display name and angle brackets (what ecallmgr sends and reg_query returns). */
  contact_uri: z.string(),
  binding: z.string(),
  instance_id: z.string().optional(),
  reg_id: z.string().optional(),
  expires: z.number().int().nonnegative(),
  reported_expires: z.number().int().nonnegative(),
  expires_at: z.number().int().nonnegative(),
  /** Unix seconds, on receipt. */
  last_registration: z.number().int(),
  initial_registration: z.number().int(),
  /** The peer's Event-Timestamp, normalised to Unix seconds. */
  event_timestamp: z.number().int(),
  /** Receipt time in ms: orders concurrent writes of one binding. */
  updated_ms: z.number(),
  account_id: z.string().optional(),
  authorizing_id: z.string().optional(),
  call_id: z.string().optional(),
  user_agent: z.string().optional(),
  network_ip: z.string().optional(),
  network_port: z.number().int().optional(),
  /** The FreeSWITCH node or proxy the phone registered through. */
  node: z.string().optional(),
  path: z.string().optional(),
  /** The reg_success fields as sent, so reg_query can return any of them unchanged. */
  wire: z.record(z.string(), z.unknown()),
  /**
   * Account-ID, Authorizing-ID, ... the registrar found itself when the reg_success carried none
   * (FreeSWITCH's register events have no CCVs; Kazoo's ecallmgr fills them in the same way).
   */
  identity: z.record(z.string(), z.string()).optional(),
});
export type RegistrationRecord = z.infer<typeof registrationRecordSchema>;

export type RegSuccess = MessageOf<typeof regSuccess>;

export const aorOf = (username: string, realm: string): string => `${username.toLowerCase()}@${realmKey(realm)}`;

/** Deterministic per (AOR, binding): every registrar process writes the same document for one contact. */
export function registrationId(aor: string, binding: string): string {
  return 'reg_' + createHash('sha256').update(`${aor}\n${binding}`).digest('hex').slice(0, 32);
}

/** The binding a Contact denotes; an unparsable Contact is kept as an opaque (trimmed, lowercased) value. */
export function bindingOf(contact: string): { binding: string; uri: string; instanceId?: string; regId?: string } {
  const parsed = tryParseContact(contact);
  if (!parsed || parsed.wildcard) return { binding: `opaque:${contact.trim().toLowerCase()}`, uri: contact.trim() };
  return { binding: bindingKey(parsed), uri: parsed.uri, instanceId: parsed.instanceId, regId: parsed.regId };
}

/**
 * The Contact to identify the binding by: ecallmgr sends the bare URI as `Contact` and the header as
 * received as `Original-Contact`, whose header parameters (+sip.instance, reg-id) the bare URI lost.
 */
export function contactOf(msg: Pick<RegSuccess, 'Contact' | 'Original-Contact'>): string {
  return msg['Original-Contact']?.trim() ? msg['Original-Contact'] : msg.Contact;
}

const WIRE_FIELDS = new Set(Object.keys(regSuccess.fields));

function wireFields(msg: RegSuccess): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg)) if (WIRE_FIELDS.has(k) || k === 'Node') out[k] = v;
  return out;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function port(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : Number(text(value));
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

/** The binding a reg_success records (callers check `isRemoval` first). */
export function recordFromSuccess(msg: RegSuccess, receivedAtMs: number, policy: ExpiryPolicy): RegistrationRecord {
  const aor = aorOf(msg.Username, msg.Realm);
  const { binding, uri, instanceId, regId } = bindingOf(contactOf(msg));
  const receivedAt = Math.floor(receivedAtMs / 1000);
  const expiry = computeExpiry(msg.Expires, receivedAt, policy);
  const ccv = (msg['Custom-Channel-Vars'] ?? {}) as Record<string, unknown>;
  const networkIp = text(msg['Network-IP']) ?? text(msg['Source-IP']);
  const networkPort = port(msg['Network-Port'] ?? msg['Source-Port']);
  return {
    id: registrationId(aor, binding),
    aor,
    username: msg.Username,
    realm: msg.Realm,
    contact: msg.Contact,
    contact_uri: uri,
    binding,
    ...(instanceId ? { instance_id: instanceId } : {}),
    ...(regId ? { reg_id: regId } : {}),
    expires: expiry.expires,
    reported_expires: expiry.reportedExpires,
    expires_at: expiry.expiresAt,
    last_registration: receivedAt,
    initial_registration: receivedAt,
    event_timestamp: toUnixSeconds(msg['Event-Timestamp']),
    updated_ms: receivedAtMs,
    ...optional('account_id', text(msg['Account-ID']) ?? text(ccv['Account-ID'])),
    ...optional('authorizing_id', text(msg['Authorizing-ID']) ?? text(ccv['Authorizing-ID'])),
    ...optional('call_id', text(msg['Call-ID'])),
    ...optional('user_agent', text(msg['User-Agent'])),
    ...optional('network_ip', networkIp),
    ...optional('network_port', networkPort),
    ...optional('node', text(msg['FreeSWITCH-Nodename']) ?? text(msg['Registrar-Node']) ?? text(msg.Node)),
    ...optional('path', text(msg['Proxy-Path'])),
    wire: wireFields(msg),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** True when the reg_success names neither the account nor the device (flat or in its CCVs). */
export function lacksIdentity(record: RegistrationRecord): boolean {
  return record.account_id === undefined || record.authorizing_id === undefined;
}

/** Adds what the registrar knows about the AOR's device; ids the peer sent are kept. */
export function withIdentity(record: RegistrationRecord, identity: Record<string, string>): RegistrationRecord {
  return {
    ...record,
    account_id: record.account_id ?? identity['Account-ID'],
    authorizing_id: record.authorizing_id ?? identity['Authorizing-ID'],
    identity,
  };
}

/** A refresh keeps when the binding first appeared. */
export function refreshed(current: RegistrationRecord | undefined, incoming: RegistrationRecord): RegistrationRecord {
  if (!current || current.initial_registration >= incoming.initial_registration) return incoming;
  return { ...incoming, initial_registration: current.initial_registration };
}
