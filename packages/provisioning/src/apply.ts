import { compileFile, type DesiredAccount, type DesiredDoc } from './compile.js';
import type { AccountEntry } from './file-schema.js';
import { fileFieldOf } from './field-map.js';
import type { ProvisionIssue } from './issues.js';
import { ACCOUNT_KINDS, PROVISIONED_MARK, stableId, type Kind } from './kinds.js';
import type { ParsedFile } from './parse-file.js';
import type { Doc, ProvisioningPort, PutOutcome } from './port.js';

export type Action = 'created' | 'changed' | 'unchanged' | 'removed' | 'invalid' | 'failed';

export interface ApplyEntry {
  account: string;
  kind: Kind;
  name: string;
  id?: string;
  action: Action;
  /** invalid / failed: why. */
  message?: string;
  issue?: ProvisionIssue;
}

export interface ApplyReport {
  file: string;
  dryRun: boolean;
  /** true when every document was accepted and every write/removal went through. */
  ok: boolean;
  /** false when a refused document stopped the run before anything was written. */
  written: boolean;
  entries: ApplyEntry[];
  counts: Record<Action, number>;
  /** Things skipped on purpose (a kind the file does not use whose owner did not answer: nothing removed there). */
  warnings: string[];
}

export interface ApplyOptions {
  dryRun?: boolean;
  /** Requests in flight at once within one kind (default 8). */
  concurrency?: number;
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the results in order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function accountIdResolver(existing: Doc[]): (entry: AccountEntry) => string {
  return (entry) => {
    if (entry.id) return entry.id;
    const byRealm = existing.find((a) => typeof a.realm === 'string' && a.realm.toLowerCase() === entry.realm.toLowerCase());
    return typeof byRealm?._id === 'string' ? byRealm._id : stableId('account', entry.name);
  };
}

type Attempt = { doc: DesiredDoc; accountName: string; accountId?: string; outcome?: PutOutcome; error?: Error };

function entryOf(parsed: ParsedFile, a: Attempt): ApplyEntry {
  const base = { account: a.accountName, kind: a.doc.kind, name: a.doc.name };
  if (a.error) return { ...base, ...(a.doc.id ? { id: a.doc.id } : {}), action: 'failed', message: a.error.message };
  const o = a.outcome!;
  if (o.status === 'invalid') {
    const field = fileFieldOf(a.doc.kind, o.field);
    const issue = parsed.issueAt([...a.doc.path, ...field.path], o.message);
    return { ...base, ...(o.id ? { id: o.id } : {}), action: 'invalid', message: o.message, issue: { ...issue, field: field.label } };
  }
  return { ...base, id: o.id, action: o.status };
}

async function putAll(port: ProvisioningPort, attempts: Attempt[], dryRun: boolean, limit: number): Promise<void> {
  // Accounts first, then each kind in order: a kind's documents go in parallel.
  const groups = new Map<string, Attempt[]>();
  for (const a of attempts) {
    const group = groups.get(a.doc.kind);
    if (group) group.push(a);
    else groups.set(a.doc.kind, [a]);
  }
  for (const kind of ['account', ...ACCOUNT_KINDS]) {
    await mapLimited(groups.get(kind) ?? [], limit, async (a) => {
      try {
        a.outcome = await port.put({
          kind: a.doc.kind,
          ...(a.accountId ? { accountId: a.accountId } : {}),
          ...(a.doc.id ? { id: a.doc.id } : {}),
          document: a.doc.document,
          dryRun,
        });
        a.error = undefined;
      } catch (err) {
        a.error = err as Error;
      }
    });
  }
}

function attemptsOf(accounts: DesiredAccount[]): Attempt[] {
  return accounts.flatMap((acc) => [
    { doc: acc.account, accountName: acc.name },
    ...acc.docs.map((doc) => ({ doc, accountName: acc.name, accountId: acc.id })),
  ]);
}

/**
 * The documents each account holds now (none for an account that does not exist yet). A kind the file
 * does not use may have no owner running: it is skipped (nothing of it can be removed), with a warning.
 */
async function currentDocs(port: ProvisioningPort, acc: DesiredAccount, exists: boolean, warnings: string[]): Promise<Map<Kind, Doc[]>> {
  const current = new Map<Kind, Doc[]>();
  if (!exists) return current;
  for (const kind of ACCOUNT_KINDS) {
    try {
      current.set(kind, await port.list({ kind, accountId: acc.id }));
    } catch (err) {
      if (acc.docs.some((d) => d.kind === kind)) throw err;
      warnings.push(`account ${acc.name}: ${kind} documents not checked for removal (${(err as Error).message})`);
    }
  }
  return current;
}

/** Documents the file once made (marked) but no longer lists, last kinds first (callflows before their targets). */
function removalsOf(acc: DesiredAccount, current: Map<Kind, Doc[]>, kept: Set<string>): Array<{ kind: Kind; doc: Doc }> {
  return [...ACCOUNT_KINDS]
    .reverse()
    .flatMap((kind) => (current.get(kind) ?? []).filter((d) => d[PROVISIONED_MARK] === true && !kept.has(`${kind}/${String(d._id)}`)).map((doc) => ({ kind, doc })));
}

function labelOfDoc(doc: Doc): string {
  return typeof doc.name === 'string' ? doc.name : typeof doc.ext === 'string' ? doc.ext : String(doc._id);
}

function listFailure(err: unknown): ApplyEntry {
  return { account: '(all)', kind: 'account', name: '(list)', action: 'failed', message: (err as Error).message };
}

function report(file: string, dryRun: boolean, written: boolean, entries: ApplyEntry[], warnings: string[] = []): ApplyReport {
  const counts: Record<Action, number> = { created: 0, changed: 0, unchanged: 0, removed: 0, invalid: 0, failed: 0 };
  for (const e of entries) counts[e.action]++;
  return { file, dryRun, ok: counts.invalid === 0 && counts.failed === 0, written, entries, counts, warnings };
}

/**
 * Makes the platform match a provisioning file. Every document is first sent as a dry run, so the
 * owners validate all of them; one refusal stops the run before anything is written. Then documents
 * are written (created / changed / unchanged), and the documents of the file's accounts that carry the
 * provisioning mark but are no longer in the file are removed. Accounts are never removed.
 */
export async function applyFile(parsed: ParsedFile, port: ProvisioningPort, options: ApplyOptions = {}): Promise<ApplyReport> {
  const dryRun = options.dryRun ?? false;
  const limit = options.concurrency ?? 8;
  let existing: Doc[];
  try {
    existing = await port.list({ kind: 'account' });
  } catch (err) {
    return report(parsed.file, dryRun, false, [listFailure(err)]);
  }
  const accounts = compileFile(parsed.data, accountIdResolver(existing));
  const existingIds = new Set(existing.map((a) => String(a._id)));

  const currents = new Map<string, Map<Kind, Doc[]>>();
  const warnings: string[] = [];
  try {
    for (const acc of accounts) currents.set(acc.id, await currentDocs(port, acc, existingIds.has(acc.id), warnings));
  } catch (err) {
    return report(parsed.file, dryRun, false, [listFailure(err)]);
  }

  const attempts = attemptsOf(accounts);
  await putAll(port, attempts, true, limit);
  const checked = attempts.map((a) => entryOf(parsed, a));
  const refused = checked.filter((e) => e.action === 'invalid' || e.action === 'failed');
  if (refused.length > 0) return report(parsed.file, dryRun, false, refused, warnings);
  const kept = new Set(attempts.map((a) => `${a.doc.kind}/${a.outcome && 'id' in a.outcome ? a.outcome.id : a.doc.id}`));

  // Unchanged documents are not sent again: re-applying a file costs one round of dry runs.
  if (!dryRun) await putAll(port, attempts.filter((a) => a.outcome?.status !== 'unchanged'), false, limit);
  const entries = dryRun ? checked : attempts.map((a) => entryOf(parsed, a));

  for (const acc of accounts) entries.push(...(await removeStale(port, acc, removalsOf(acc, currents.get(acc.id) ?? new Map(), kept), dryRun)));
  return report(parsed.file, dryRun, !dryRun, entries, warnings);
}

async function removeStale(port: ProvisioningPort, acc: DesiredAccount, stale: Array<{ kind: Kind; doc: Doc }>, dryRun: boolean): Promise<ApplyEntry[]> {
  const entries: ApplyEntry[] = [];
  for (const { kind, doc } of stale) {
    const id = String(doc._id);
    const base = { account: acc.name, kind, name: labelOfDoc(doc), id };
    try {
      if (!dryRun) await port.remove({ kind, accountId: acc.id, id });
      entries.push({ ...base, action: 'removed' });
    } catch (err) {
      entries.push({ ...base, action: 'failed', message: (err as Error).message });
    }
  }
  return entries;
}
