import { isDeepStrictEqual } from 'node:util';
import type { DocumentScope } from 'nano';
import { FifeError } from '@fife/api';
import { validateDocument, type StoredDoc } from './documents/registry.js';
import { backoff, defaultConflictRetry, isConflict, isNotFound, type RetryPolicy } from './retry.js';

/**
 * Given the stored document (undefined when absent or deleted), returns the document to store,
 * `undefined` to leave things as they are, or `null` to delete it. May run several times (once per
 * conflict), so it must be a pure function of its argument.
 */
export type Mutate<D extends StoredDoc> = (current: D | undefined) => D | Omit<D, '_id' | '_rev'> | undefined | null;

export type UpsertResult<D extends StoredDoc> = {
  id: string;
  /** The revision now stored (undefined when the document is absent after a delete or a no-op on nothing). */
  rev: string | undefined;
  /** The document now stored, undefined when absent. */
  doc: D | undefined;
  /** Whether this call wrote anything. */
  written: boolean;
  attempts: number;
};

export type UpsertOptions = {
  retry?: RetryPolicy;
  /** Validate with this schema instead of the one registered for the document's `pvt_type`. */
  schema?: Parameters<typeof validateDocument>[1];
};

// nano's scopes are generic over the document type; the write paths handle any stored document.
type AnyDb = DocumentScope<any>;

async function readCurrent<D extends StoredDoc>(db: AnyDb, id: string): Promise<D | undefined> {
  try {
    return (await db.get(id)) as D;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function withoutRev(doc: StoredDoc): StoredDoc {
  const { _rev: _ignored, ...rest } = doc;
  return rest;
}

/**
 * Read–mutate–write of one document, retried on 409 with jittered backoff until it lands, so concurrent
 * writers never lose an update and callers never see a conflict. Writing what is already stored is a no-op.
 */
export async function upsert<D extends StoredDoc>(
  db: AnyDb,
  id: string,
  mutate: Mutate<D>,
  options: UpsertOptions = {},
): Promise<UpsertResult<D>> {
  const policy = options.retry ?? defaultConflictRetry;
  for (let attempt = 1; ; attempt++) {
    const current = await readCurrent<D>(db, id);
    const next = mutate(current === undefined ? undefined : structuredClone(current));
    if (next === undefined || (next === null && current === undefined)) {
      return { id, rev: current?._rev, doc: current, written: false, attempts: attempt };
    }
    try {
      if (next === null) {
        await db.destroy(id, current!._rev!);
        return { id, rev: undefined, doc: undefined, written: true, attempts: attempt };
      }
      const doc = validateDocument({ ...next, _id: id } as D, options.schema);
      if (current && isDeepStrictEqual(withoutRev(current), withoutRev(doc))) {
        return { id, rev: current._rev, doc: current, written: false, attempts: attempt };
      }
      const stored = { ...doc, _id: id, _rev: current?._rev } as D;
      if (stored._rev === undefined) delete stored._rev;
      const response = await db.insert(stored);
      return { id, rev: response.rev, doc: { ...stored, _rev: response.rev }, written: true, attempts: attempt };
    } catch (error) {
      if (!isConflict(error)) throw error;
      if (attempt >= policy.maxAttempts) {
        throw new FifeError('store.write_contention', `document "${id}" still conflicting after ${attempt} attempts`, {
          id,
          db: db.config.db,
          attempts: attempt,
        });
      }
      await backoff(attempt, policy);
    }
  }
}
