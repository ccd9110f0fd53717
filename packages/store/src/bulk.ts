import type { DocumentScope } from 'nano';
import { FifeError, isFifeError } from '@fife/api';
import { validateDocument, type StoredDoc } from './documents/registry.js';
import { backoff, defaultConflictRetry, type RetryPolicy } from './retry.js';

type WithId = StoredDoc & { _id: string };

export type BulkFailure = { id: string; error: string; reason: string; field?: string };
export type BulkReport = {
  written: { id: string; rev: string }[];
  failed: BulkFailure[];
  /** How many documents needed at least one conflict retry. */
  retriedConflicts: number;
};

/**
 * Decides what to write when a document changed under us: given what is stored now (undefined if absent)
 * and what we wanted to write, returns the document to write, or undefined to give up on it. The default
 * is "our content wins": the intended document is written on top of the current revision.
 */
export type ConflictResolver = (current: StoredDoc | undefined, wanted: WithId) => StoredDoc | undefined;

export type BulkOptions = { retry?: RetryPolicy; resolve?: ConflictResolver };

const oursWins: ConflictResolver = (_current, wanted) => wanted;

type AnyDb = DocumentScope<any>;

function invalidFailure(doc: WithId, error: unknown): BulkFailure {
  if (isFifeError(error, 'store.invalid_document')) {
    return { id: doc._id, error: error.code, reason: error.message, field: String(error.context.field) };
  }
  throw error;
}

async function currentDocs(db: AnyDb, ids: string[]): Promise<Map<string, StoredDoc>> {
  const response = await db.fetch({ keys: ids });
  const found = new Map<string, StoredDoc>();
  for (const row of response.rows) {
    if ('doc' in row && row.doc) found.set(row.key, row.doc as StoredDoc);
  }
  return found;
}

/** Our intended document re-based on the stored revision, or undefined if the resolver gave up. */
function rebase(current: StoredDoc | undefined, wanted: WithId, resolve: ConflictResolver): WithId | undefined {
  const resolved = resolve(current === undefined ? undefined : structuredClone(current), wanted);
  if (resolved === undefined) return undefined;
  const next: WithId = { ...resolved, _id: wanted._id };
  if (current?._rev) next._rev = current._rev;
  else delete next._rev;
  return next;
}

/**
 * Writes many documents in one `_bulk_docs` round. Invalid documents are not sent and are reported;
 * conflicting ones are re-read in one `_all_docs` request, re-based through `resolve` and retried in the
 * next round; other per-document errors (forbidden, ...) are reported. Never throws for one bad document.
 */
export async function bulkWrite(db: AnyDb, docs: StoredDoc[], options: BulkOptions = {}): Promise<BulkReport> {
  const policy = options.retry ?? defaultConflictRetry;
  const resolve = options.resolve ?? oursWins;
  const report: BulkReport = { written: [], failed: [], retriedConflicts: 0 };
  const retried = new Set<string>();

  let pending: WithId[] = [];
  for (const doc of docs) {
    if (typeof doc._id !== 'string' || doc._id === '') {
      report.failed.push({ id: '', error: 'store.missing_id', reason: 'bulkWrite needs every document to carry an _id' });
      continue;
    }
    try {
      pending.push(validateDocument(doc as WithId));
    } catch (error) {
      report.failed.push(invalidFailure(doc as WithId, error));
    }
  }

  for (let attempt = 1; pending.length > 0; attempt++) {
    const results = await db.bulk({ docs: pending });
    const wantedById = new Map(pending.map((d) => [d._id, d]));
    const conflicted: WithId[] = [];
    for (const result of results) {
      const wanted = wantedById.get(result.id);
      if (result.rev && !result.error) report.written.push({ id: result.id, rev: result.rev });
      else if (result.error === 'conflict' && wanted) conflicted.push(wanted);
      else report.failed.push({ id: result.id, error: result.error ?? 'unknown', reason: result.reason ?? '' });
    }
    if (conflicted.length === 0) break;
    if (attempt >= policy.maxAttempts) {
      for (const doc of conflicted) {
        report.failed.push({ id: doc._id, error: 'store.write_contention', reason: `still conflicting after ${attempt} attempts` });
      }
      break;
    }
    for (const doc of conflicted) retried.add(doc._id);
    await backoff(attempt, policy);
    const current = await currentDocs(db, conflicted.map((d) => d._id));
    pending = [];
    for (const doc of conflicted) {
      const next = rebase(current.get(doc._id), doc, resolve);
      if (next === undefined) {
        report.failed.push({ id: doc._id, error: 'conflict', reason: 'the conflict resolver kept the stored document' });
        continue;
      }
      try {
        pending.push(validateDocument(next));
      } catch (error) {
        report.failed.push(invalidFailure(next, error));
      }
    }
  }
  report.retriedConflicts = retried.size;
  return report;
}

/** Throws unless every document was written; for callers that treat any failure as fatal. */
export function assertBulkOk(report: BulkReport): void {
  if (report.failed.length === 0) return;
  throw new FifeError('store.bulk_failed', `${report.failed.length} document(s) not written`, { failed: report.failed });
}
