import type { AccountEntry, FlowNode, ProvisioningFile } from './file-schema.js';
import type { IssuePath } from './issues.js';

export interface ReferenceProblem {
  path: IssuePath;
  message: string;
}

/** Flow `data` keys that name another document of the account, and the section they name. */
export const FLOW_REFERENCES = { user: 'users', device: 'devices', calendar: 'calendars' } as const;

/** The document field each flow reference becomes (`user` → `id`, `calendar` → `calendar_id`), as the router reads it. */
export const FLOW_ID_FIELD: Record<keyof typeof FLOW_REFERENCES, string> = { user: 'id', device: 'id', calendar: 'calendar_id' };

function duplicates<T>(items: T[], key: (item: T) => string, at: (index: number) => IssuePath, what: string): ReferenceProblem[] {
  const seen = new Map<string, number>();
  const problems: ReferenceProblem[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else problems.push({ path: at(i), message: `${what} "${k}" is already used by entry #${first + 1}` });
  });
  return problems;
}

function walkFlow(node: FlowNode, path: IssuePath, visit: (node: FlowNode, path: IssuePath) => void): void {
  visit(node, path);
  for (const [key, child] of Object.entries(node.children ?? {})) walkFlow(child, [...path, 'children', key], visit);
}

function accountProblems(account: AccountEntry, base: IssuePath): ReferenceProblem[] {
  const at = (section: string, field: string) => (i: number) => [...base, section, i, field];
  const problems: ReferenceProblem[] = [
    ...duplicates(account.devices, (d) => d.name, at('devices', 'name'), 'device name'),
    ...duplicates(account.devices, (d) => `${d.username.toLowerCase()}@${(d.realm ?? account.realm).toLowerCase()}`, at('devices', 'username'), 'SIP username'),
    ...duplicates(account.users, (u) => u.name, at('users', 'name'), 'user name'),
    ...duplicates(account.callflows, (c) => c.name, at('callflows', 'name'), 'callflow name'),
    ...duplicates(account.callflows.flatMap((c, i) => (c.numbers ?? []).map((n) => ({ n, i }))), (x) => x.n, () => [...base, 'callflows'], 'number'),
    ...duplicates(account.callgroups, (g) => g.ext, at('callgroups', 'ext'), 'extension'),
    ...duplicates(account.calendars, (c) => c.name, at('calendars', 'name'), 'calendar name'),
    ...duplicates(account.resources, (r) => r.name, at('resources', 'name'), 'resource name'),
  ];
  const names = {
    devices: new Set(account.devices.map((d) => d.name)),
    users: new Set(account.users.map((u) => u.name)),
    calendars: new Set(account.calendars.map((c) => c.name)),
  };
  const ownerOf = new Map<string, string>();
  account.users.forEach((user, u) => {
    (user.devices ?? []).forEach((device, d) => {
      const path = [...base, 'users', u, 'devices', d];
      if (!names.devices.has(device)) problems.push({ path, message: `no device named "${device}" in this account` });
      else if (ownerOf.has(device)) problems.push({ path, message: `device "${device}" already belongs to user "${ownerOf.get(device)}"` });
      else ownerOf.set(device, user.name);
    });
    if (user.calendar !== undefined && !names.calendars.has(user.calendar)) {
      problems.push({ path: [...base, 'users', u, 'calendar'], message: `no calendar named "${user.calendar}" in this account` });
    }
  });
  account.calendars.forEach((cal, c) => {
    if (cal.closures === undefined) return;
    const path = [...base, 'calendars', c, 'closures'];
    if (cal.closures === cal.name) problems.push({ path, message: 'a calendar cannot close itself' });
    else if (!names.calendars.has(cal.closures)) problems.push({ path, message: `no calendar named "${cal.closures}" in this account` });
  });
  account.callflows.forEach((flow, f) =>
    walkFlow(flow.flow, [...base, 'callflows', f, 'flow'], (node, path) => {
      for (const [key, section] of Object.entries(FLOW_REFERENCES)) {
        const ref = node.data?.[key];
        if (ref === undefined) continue;
        if (typeof ref !== 'string') problems.push({ path: [...path, 'data', key], message: `expected the name of a ${key}` });
        else if (!names[section].has(ref)) problems.push({ path: [...path, 'data', key], message: `no ${key} named "${ref}" in this account` });
      }
    }),
  );
  return problems;
}

/** Names that must be unique, and names that must exist: checked before anything is sent. */
export function checkReferences(file: ProvisioningFile): ReferenceProblem[] {
  return [
    ...duplicates(file.accounts, (a) => a.name, (i) => ['accounts', i, 'name'], 'account name'),
    ...duplicates(file.accounts, (a) => a.realm.toLowerCase(), (i) => ['accounts', i, 'realm'], 'realm'),
    ...file.accounts.flatMap((account, i) => accountProblems(account, ['accounts', i])),
  ];
}
