import { z } from 'zod';
import { accountDbName, couchFields, registerDocumentSchema, stamps, type Store, type StoredDoc, type UpsertResult } from '@fife/store';
import type { OwnedKind } from '@fife/provisioning';
import { ExtensionSchema, type ExtensionInput } from '../domain/index.js';

/** Kazoo-style type field of a call-group extension document in an account database. */
export const EXTENSION_DOC_TYPE = 'callgroup_extension';
/** The design document (couchdb-views/account/callgroup_extensions) and its view by number. */
export const EXTENSION_DESIGN = 'callgroup_extensions';

/**
 * Deterministic id: CouchDB itself then refuses a second document for one number (the topology
 * needs numbers to be unique), and a re-provisioning run is an idempotent upsert.
 */
export function extensionDocId(ext: string): string {
  return `cgext-${ext}`;
}

/** Stage-2 settings of a user, kept with its extension (ywsd keeps them on the Yate user). */
const stage2Fields = {
  /** false: a user already in a call is busy instead of getting a second call (§1.7) */
  call_waiting: z.boolean().default(true),
  /** a FreeSWITCH target rung as is (conference, announcement, script): never busy, never de-duplicated */
  static_target: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[^\s,|[\]{}<>^'"\\]+$/, 'a single dial target: no spaces or dial-string syntax (, | [ ] { } < > ^ quotes)')
    .nullish(),
};

/**
 * A call-group extension as stored: CouchDB fields, the pvt_type, stage-2 settings and the domain's
 * extension (validated by the domain's own schema, so the store and the planner agree on one truth;
 * its defaults are written out, so what is stored is what routes).
 */
export const extensionDocSchema = z
  .looseObject({ ...couchFields, ...stamps, pvt_type: z.literal(EXTENSION_DOC_TYPE), ...stage2Fields })
  .transform((doc, ctx) => {
    const parsed = ExtensionSchema.safeParse(doc);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return { ...doc, ...parsed.data };
  });

export type ExtensionDoc = z.infer<typeof extensionDocSchema>;
/** What a provisioning caller writes: an extension (scenario FORMAT) plus the stage-2 settings. */
export type ExtensionDocInput = ExtensionInput & { call_waiting?: boolean; static_target?: string | null };

let registered = false;

/** Makes every write of a `callgroup_extension` through @fife/store validated (idempotent). */
export function registerCallgroupDocuments(): void {
  if (registered) return;
  registerDocumentSchema(EXTENSION_DOC_TYPE, extensionDocSchema as unknown as z.ZodType<StoredDoc, unknown>);
  registered = true;
}

/**
 * Creates or replaces the extension document of `input.ext` in the account's database. An invalid
 * extension is refused with FifeError('store.invalid_document') whose context.field names the field.
 */
export async function putExtension(store: Store, accountId: string, input: ExtensionDocInput): Promise<UpsertResult<StoredDoc>> {
  registerCallgroupDocuments();
  const dbName = accountDbName(accountId);
  await store.prepareDb(dbName);
  const ext = typeof input.ext === 'string' ? input.ext : String(input.ext);
  const now = new Date().toISOString();
  // No modification stamp: writing the same extension twice must stay a no-op (no change event).
  return store.upsert<StoredDoc>(dbName, extensionDocId(ext), (current) => ({
    ...input,
    pvt_type: EXTENSION_DOC_TYPE,
    pvt_created: typeof current?.pvt_created === 'string' ? current.pvt_created : now,
  }));
}

export async function deleteExtension(store: Store, accountId: string, ext: string): Promise<boolean> {
  const result = await store.upsert<StoredDoc>(accountDbName(accountId), extensionDocId(ext), () => null);
  return result.written;
}

/** The callgroup kind of provisioning: validated by this whapp, keyed by its number (`cgext-<ext>`). */
export const callgroupProvisioningKind: OwnedKind = {
  type: EXTENSION_DOC_TYPE,
  schema: extensionDocSchema,
  idFor: (doc) => (typeof doc.ext === 'string' && doc.ext !== '' ? extensionDocId(doc.ext) : undefined),
};
