import type {
  AccountEntry,
  CalendarEntry,
  CallflowEntry,
  CallgroupEntry,
  DeviceEntry,
  FlowNode,
  ProvisioningFile,
  ResourceEntry,
  UserEntry,
} from './file-schema.js';
import type { IssuePath } from './issues.js';
import { ACCOUNT_KINDS, PROVISIONED_MARK, SECTION_OF, placeholderName, stableId, type AccountKind, type Kind } from './kinds.js';
import { FLOW_ID_FIELD, FLOW_REFERENCES } from './references.js';

/** One document as the file wants it, before its owner validated it. */
export interface DesiredDoc {
  kind: Kind;
  /** For messages: the name (or number) the file gives it. */
  name: string;
  /** Absent when the owner derives the id from a natural key (callgroup extensions: the number). */
  id?: string;
  document: Record<string, unknown>;
  /** Where it is in the file, for issues the owner reports. */
  path: IssuePath;
}

export interface DesiredAccount {
  name: string;
  id: string;
  account: DesiredDoc;
  /** In ACCOUNT_KINDS order. */
  docs: DesiredDoc[];
}

/** Drops undefined values, so a field the file leaves out is absent (not `undefined`) in the document. */
export function defined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

type Ids = Record<'devices' | 'users' | 'calendars', Map<string, string>>;

function idsOf(account: AccountEntry): Ids {
  return {
    devices: new Map(account.devices.map((d) => [d.name, d.id ?? stableId('device', d.name)])),
    users: new Map(account.users.map((u) => [u.name, u.id ?? stableId('user', u.name)])),
    calendars: new Map(account.calendars.map((c) => [c.name, c.id ?? stableId('calendar', c.name)])),
  };
}

function deviceDoc(d: DeviceEntry, ownerId: string | undefined): Record<string, unknown> {
  const sip = defined({ username: d.username, password: d.password, realm: d.realm, method: d.ip !== undefined ? 'ip' : 'password', ip: d.ip });
  return defined({
    name: d.name,
    sip,
    owner_id: ownerId,
    enabled: d.enabled,
    allow_clear_password: d.allow_clear_password,
    device_type: d.device_type,
    call_waiting: d.call_waiting === undefined ? undefined : { enabled: d.call_waiting },
    dialout_allowed: d.dialout_allowed,
    caller_id: d.caller_id,
  });
}

type Target = string | { to: string; enabled?: boolean | undefined };
const target = (t: Target | undefined) =>
  t === undefined ? undefined : typeof t === 'string' ? { number: t } : defined({ number: t.to, enabled: t.enabled });

function userDoc(u: UserEntry, ids: Ids): Record<string, unknown> {
  const fwd = u.forward;
  const callForward = fwd
    ? defined({
        immediate: target(fwd.immediate),
        no_answer: fwd.after ? defined({ number: fwd.after.to, after_s: fwd.after.seconds, enabled: fwd.after.enabled }) : undefined,
        busy: target(fwd.busy),
        unavailable: target(fwd.unavailable),
      })
    : undefined;
  return defined({
    name: u.name,
    first_name: u.first_name,
    last_name: u.last_name,
    username: u.username,
    email: u.email,
    enabled: u.enabled,
    call_forward: callForward,
    call_waiting: u.call_waiting === undefined ? undefined : { enabled: u.call_waiting },
    calendar_id: u.calendar === undefined ? undefined : ids.calendars.get(u.calendar),
    caller_id: u.caller_id,
    dialout_allowed: u.dialout_allowed,
  });
}

function flowDoc(node: FlowNode, ids: Ids): Record<string, unknown> {
  const data: Record<string, unknown> = { ...(node.data ?? {}) };
  for (const [key, section] of Object.entries(FLOW_REFERENCES) as [keyof typeof FLOW_REFERENCES, keyof Ids][]) {
    const ref = data[key];
    if (typeof ref !== 'string') continue;
    delete data[key];
    data[FLOW_ID_FIELD[key]] = ids[section].get(ref);
  }
  const children = Object.fromEntries(Object.entries(node.children ?? {}).map(([k, child]) => [k, flowDoc(child, ids)]));
  return { module: node.module, data, children };
}

function callflowDoc(c: CallflowEntry, ids: Ids): Record<string, unknown> {
  return { name: c.name, numbers: c.numbers ?? [], patterns: c.patterns ?? [], flow: flowDoc(c.flow, ids) };
}

function calendarDoc(c: CalendarEntry, ids: Ids): Record<string, unknown> {
  const source = c.feed !== undefined ? defined({ type: 'remote', url: c.feed, refresh_s: c.refresh_s }) : { type: 'inline', ics: c.ics };
  return defined({
    name: c.name,
    kind: c.kind,
    timezone: c.timezone,
    source,
    closures: c.closures === undefined ? undefined : ids.calendars.get(c.closures),
    oncall: c.oncall,
  });
}

function callgroupDoc(g: CallgroupEntry): Record<string, unknown> {
  return defined({ ...g });
}

function resourceDoc(r: ResourceEntry): Record<string, unknown> {
  const { id: _id, ...rest } = r;
  return defined(rest);
}

function accountDoc(a: AccountEntry): Record<string, unknown> {
  return defined({ name: a.name, realm: a.realm, timezone: a.timezone, enabled: a.enabled, numbering: a.numbering, caller_id: a.caller_id });
}

const marked = (doc: Record<string, unknown>) => ({ ...doc, [PROVISIONED_MARK]: true });

/** A placeholder name (see `placeholderName`) stays out of the document: it only stands for the id. */
function named(kind: AccountKind, id: string, doc: Record<string, unknown>): Record<string, unknown> {
  if (doc.name !== placeholderName(kind, id)) return doc;
  const { name: _placeholder, ...rest } = doc;
  return rest;
}

function entryDocs(account: AccountEntry, kind: AccountKind, ids: Ids): Array<Omit<DesiredDoc, 'path' | 'kind'>> {
  switch (kind) {
    case 'device': {
      const owner = new Map(account.users.flatMap((u) => (u.devices ?? []).map((d) => [d, ids.users.get(u.name)!] as const)));
      return account.devices.map((d) => ({ name: d.name, id: ids.devices.get(d.name)!, document: deviceDoc(d, owner.get(d.name)) }));
    }
    case 'user':
      return account.users.map((u) => ({ name: u.name, id: ids.users.get(u.name)!, document: userDoc(u, ids) }));
    case 'callflow':
      return account.callflows.map((c) => ({ name: c.name, id: c.id ?? stableId('callflow', c.name), document: callflowDoc(c, ids) }));
    case 'callgroup':
      return account.callgroups.map((g) => ({ name: g.ext, document: callgroupDoc(g) }));
    case 'calendar':
      return account.calendars.map((c) => ({ name: c.name, id: ids.calendars.get(c.name)!, document: calendarDoc(c, ids) }));
    case 'resource':
      return account.resources.map((r) => ({ name: r.name, id: r.id ?? stableId('resource', r.name), document: resourceDoc(r) }));
  }
}

/**
 * The documents a file describes, per account, with stable ids and references resolved to ids.
 * `accountIdFor` picks the id of each account (an existing account with the realm keeps its id).
 */
export function compileFile(file: ProvisioningFile, accountIdFor: (entry: AccountEntry) => string): DesiredAccount[] {
  return file.accounts.map((entry, a) => {
    const id = accountIdFor(entry);
    const ids = idsOf(entry);
    const docs = ACCOUNT_KINDS.flatMap((kind) =>
      entryDocs(entry, kind, ids).map((d, i) => ({
        ...d,
        kind,
        document: marked(d.id ? named(kind, d.id, d.document) : d.document),
        path: ['accounts', a, SECTION_OF[kind], i],
      })),
    );
    return { name: entry.name, id, account: { kind: 'account', name: entry.name, id, document: marked(accountDoc(entry)), path: ['accounts', a] }, docs };
  });
}
