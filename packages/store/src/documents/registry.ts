import type { z } from 'zod';
import { FifeError } from '@fife/api';
import { accountDocSchema } from './account.js';
import { deviceDocSchema } from './device.js';
import { userDocSchema } from './user.js';
import { callflowDocSchema } from './callflow.js';
import { registrationDocSchema } from './registration.js';

/** What every stored document looks like to the generic write paths. */
export type StoredDoc = { _id?: string; _rev?: string; _deleted?: boolean; [field: string]: unknown };

type DocSchema = z.ZodType<StoredDoc, unknown>;

/**
 * Document schemas by `pvt_type` (Kazoo's type field). Writes of a registered type are validated;
 * other issues add their types with `registerDocumentSchema` instead of editing the write paths.
 */
const schemasByType = new Map<string, DocSchema>([
  ['account', accountDocSchema],
  ['device', deviceDocSchema],
  ['user', userDocSchema],
  ['callflow', callflowDocSchema],
  ['registration', registrationDocSchema],
]);

export function registerDocumentSchema(type: string, schema: DocSchema): void {
  schemasByType.set(type, schema);
}

export function documentSchemaFor(type: unknown): DocSchema | undefined {
  return typeof type === 'string' ? schemasByType.get(type) : undefined;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(document)' : path.map(String).join('.');
}

/**
 * Parses a document before it is written: returns it with schema defaults applied, or throws
 * `store.invalid_document` naming the first offending field. Design documents, deletions and
 * documents of unregistered types pass through unchanged; `schema` forces a specific schema.
 */
export function validateDocument<D extends StoredDoc>(doc: D, schema?: DocSchema): D {
  if (doc._deleted === true || doc._id?.startsWith('_design/')) return doc;
  const chosen = schema ?? documentSchemaFor(doc.pvt_type);
  if (!chosen) return doc;
  const parsed = chosen.safeParse(doc);
  if (parsed.success) return parsed.data as D;
  const issues = parsed.error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }));
  const first = issues[0] ?? { field: '(document)', message: 'invalid' };
  throw new FifeError(
    'store.invalid_document',
    `invalid ${String(doc.pvt_type ?? 'document')}${doc._id ? ` "${doc._id}"` : ''}: ${first.field}: ${first.message}`,
    { id: doc._id, type: doc.pvt_type, field: first.field, issues },
  );
}
