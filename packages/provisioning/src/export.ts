import { isDeepStrictEqual } from 'node:util';
import { FifeError } from '@fife/api';
import { stringify } from 'yaml';
import { defined } from './compile.js';
import type { FlowNode } from './file-schema.js';
import { ACCOUNT_KINDS, SECTION_OF, placeholderName, stableId, type AccountKind, type Kind } from './kinds.js';
import type { Doc, ProvisioningPort } from './port.js';
import { FLOW_ID_FIELD, FLOW_REFERENCES } from './references.js';

type Entry = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const obj = (v: unknown): Entry | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Entry) : undefined);

/** A name every document gets in the file: its own, else one made from its id (kept with `id:`). */
function nameOf(kind: Kind, doc: Doc): string {
  return str(doc.name) ?? placeholderName(kind, String(doc._id));
}

/** `id:` is written only when re-applying would not derive the same id from the name. */
function idField(kind: Kind, doc: Doc): Entry {
  return String(doc._id) === stableId(kind, nameOf(kind, doc)) ? {} : { id: String(doc._id) };
}

type Names = Record<'devices' | 'users' | 'calendars', Map<string, string>>;

function namesOf(docs: Map<AccountKind, Doc[]>): Names {
  const map = (kind: AccountKind) => new Map((docs.get(kind) ?? []).map((d) => [String(d._id), nameOf(kind, d)]));
  return { devices: map('device'), users: map('user'), calendars: map('calendar') };
}

function deviceEntry(d: Doc): Entry {
  const sip = obj(d.sip) ?? {};
  return defined({
    name: nameOf('device', d),
    ...idField('device', d),
    username: str(sip.username),
    password: str(sip.password),
    ip: sip.method === 'ip' ? str(sip.ip) : undefined,
    realm: str(sip.realm),
    enabled: d.enabled === false ? false : undefined,
    allow_clear_password: d.allow_clear_password === true ? true : undefined,
    device_type: str(d.device_type),
    call_waiting: bool(obj(d.call_waiting)?.enabled),
    dialout_allowed: bool(d.dialout_allowed),
    caller_id: obj(d.caller_id),
  });
}

function target(t: unknown): unknown {
  const o = obj(t);
  if (!o || typeof o.number !== 'string') return undefined;
  return o.enabled === undefined ? o.number : { to: o.number, enabled: o.enabled };
}

function userEntry(u: Doc, devices: Doc[], names: Names): Entry {
  const fwd = obj(u.call_forward);
  const after = obj(fwd?.no_answer);
  const owned = devices.filter((d) => d.owner_id === u._id).map((d) => nameOf('device', d));
  const forward = fwd
    ? defined({
        immediate: target(fwd.immediate),
        after: after && typeof after.number === 'string' ? defined({ seconds: after.after_s, to: after.number, enabled: bool(after.enabled) }) : undefined,
        busy: target(fwd.busy),
        unavailable: target(fwd.unavailable),
      })
    : undefined;
  return defined({
    name: nameOf('user', u),
    ...idField('user', u),
    first_name: str(u.first_name),
    last_name: str(u.last_name),
    username: str(u.username),
    email: str(u.email),
    enabled: u.enabled === false ? false : undefined,
    devices: owned.length > 0 ? owned : undefined,
    forward: forward && Object.keys(forward).length > 0 ? forward : undefined,
    call_waiting: bool(obj(u.call_waiting)?.enabled),
    calendar: typeof u.calendar_id === 'string' ? names.calendars.get(u.calendar_id) : undefined,
    caller_id: obj(u.caller_id),
    dialout_allowed: bool(u.dialout_allowed),
  });
}

const REF_OF_MODULE: Record<string, keyof typeof FLOW_REFERENCES> = { user: 'user', device: 'device', calendar: 'calendar', oncall: 'calendar' };

/** Ids of known documents go back to names; an id the account does not hold stays an id. */
function flowEntry(node: unknown, names: Names): FlowNode {
  const n = obj(node) ?? {};
  const data: Entry = { ...(obj(n.data) ?? {}) };
  const ref = REF_OF_MODULE[String(n.module)];
  if (ref) {
    const idField = FLOW_ID_FIELD[ref];
    const name = typeof data[idField] === 'string' ? names[FLOW_REFERENCES[ref]].get(data[idField] as string) : undefined;
    if (name !== undefined) {
      delete data[idField];
      data[ref] = name;
    }
  }
  const children = Object.entries(obj(n.children) ?? {}).map(([k, child]) => [k, flowEntry(child, names)] as const);
  return { module: String(n.module), ...(Object.keys(data).length ? { data } : {}), ...(children.length ? { children: Object.fromEntries(children) } : {}) };
}

function callflowEntry(c: Doc, names: Names): Entry {
  const numbers = Array.isArray(c.numbers) && c.numbers.length ? c.numbers : undefined;
  const patterns = Array.isArray(c.patterns) && c.patterns.length ? c.patterns : undefined;
  return defined({ name: nameOf('callflow', c), ...idField('callflow', c), numbers, patterns, flow: flowEntry(c.flow, names) });
}

function calendarEntry(c: Doc, names: Names): Entry {
  const source = obj(c.source) ?? {};
  const remote = source.type === 'remote';
  return defined({
    name: nameOf('calendar', c),
    ...idField('calendar', c),
    kind: str(c.kind),
    timezone: str(c.timezone),
    ics: remote ? undefined : str(source.ics),
    feed: remote ? str(source.url) : undefined,
    refresh_s: remote ? source.refresh_s : undefined,
    closures: typeof c.closures === 'string' ? (names.calendars.get(c.closures) ?? undefined) : undefined,
    oncall: obj(c.oncall),
  });
}

/** Callgroup extensions and resources are written in their owners' own format, minus the platform's fields. */
function ownFields(doc: Doc, keep: readonly string[] = []): Entry {
  return Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('_') && !k.startsWith('pvt_') && !keep.includes(k)));
}

/** Drops the keys whose value is the owner's default, so an export reads like a hand-written file. */
function withoutDefaults(entry: Entry, defaults: Entry): Entry {
  return Object.fromEntries(Object.entries(entry).filter(([k, v]) => !(k in defaults && isDeepStrictEqual(defaults[k], v))));
}

const HOSTED = new Set(['SIMPLE', 'MULTIRING', 'TRUNK']);
const EXTENSION_DEFAULTS: Entry = { call_waiting: true, ranks: [], dialout_allowed: false, type: 'SIMPLE', forward: null, static_target: null, name: null, short_name: null, outgoing_extension: null, outgoing_name: null, ringback: null };

/** A callgroup extension as written by hand: the number first, the callgroup whapp's defaults left out. */
function callgroupEntry(g: Doc): Entry {
  const own = ownFields(g);
  const serverDefault = HOSTED.has(String(own.type ?? 'SIMPLE')) ? 'local' : null;
  const ranks = Array.isArray(own.ranks)
    ? own.ranks.map((rank) => {
        const r = withoutDefaults(rank as Entry, { mode: 'DEFAULT', delay: null });
        if (Array.isArray(r.members)) r.members = r.members.map((m) => withoutDefaults(m as Entry, { type: 'DEFAULT', active: true }));
        return r;
      })
    : own.ranks;
  const compact = withoutDefaults({ ...own, ranks }, { ...EXTENSION_DEFAULTS, server: serverDefault });
  const { ext, ...rest } = compact;
  return { ext, ...rest };
}

function resourceEntry(r: Doc): Entry {
  const own = ownFields(r, ['name']);
  const gateways = Array.isArray(own.gateways) ? own.gateways.map((g) => withoutDefaults(g as Entry, { enabled: true, prefix: '', suffix: '' })) : own.gateways;
  return { name: nameOf('resource', r), ...idField('resource', r), ...withoutDefaults({ ...own, gateways }, { enabled: true }) };
}

function sortKey(kind: AccountKind, doc: Doc): string {
  return kind === 'callgroup' ? String(doc.ext ?? doc._id) : nameOf(kind, doc);
}

function accountEntry(a: Doc, docs: Map<AccountKind, Doc[]>): Entry {
  const names = namesOf(docs);
  // By name (callgroups by number), so an export reads like a hand-written file and diffs stay small.
  const list = (kind: AccountKind) => [...(docs.get(kind) ?? [])].sort((a, b) => sortKey(kind, a).localeCompare(sortKey(kind, b)));
  const devices = list('device');
  const sections: Record<AccountKind, Entry[]> = {
    device: devices.map(deviceEntry),
    user: list('user').map((u) => userEntry(u, devices, names)),
    callflow: list('callflow').map((c) => callflowEntry(c, names)),
    callgroup: list('callgroup').map(callgroupEntry),
    calendar: list('calendar').map((c) => calendarEntry(c, names)),
    resource: list('resource').map(resourceEntry),
  };
  const entry: Entry = defined({
    name: nameOf('account', a),
    realm: str(a.realm),
    ...idField('account', a),
    timezone: str(a.timezone),
    enabled: a.enabled === false ? false : undefined,
    numbering: obj(a.numbering),
    caller_id: obj(a.caller_id),
  });
  for (const kind of ACCOUNT_KINDS) if (sections[kind].length > 0) entry[SECTION_OF[kind]] = sections[kind];
  return entry;
}

/**
 * The provisioning file of what is stored now (every account, or the one named), asked of the owners
 * of each kind. Applying it unchanged reports every document unchanged.
 */
export async function exportAccounts(port: ProvisioningPort, options: { account?: string } = {}): Promise<{ accounts: Entry[] }> {
  const all = await port.list({ kind: 'account' });
  const chosen = options.account === undefined ? all : all.filter((a) => a.name === options.account || a._id === options.account);
  if (options.account !== undefined && chosen.length === 0) {
    throw new FifeError('provisioning.no_account', `no account named "${options.account}"`, { account: options.account });
  }
  const accounts: Entry[] = [];
  for (const a of chosen) {
    const docs = new Map<AccountKind, Doc[]>();
    for (const kind of ACCOUNT_KINDS) docs.set(kind, await port.list({ kind, accountId: String(a._id) }));
    accounts.push(accountEntry(a, docs));
  }
  return { accounts };
}

/** YAML text of a file object, with a header saying where it came from. */
export function toYaml(file: { accounts: Entry[] }, header = 'exported by `fife export`; apply with `fife provision FILE`'): string {
  return `# ${header}\n${stringify(file, { lineWidth: 0 })}`;
}
