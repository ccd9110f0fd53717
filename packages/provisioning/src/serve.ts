import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { FifeError, genericError, isFifeError, provisioning, type MessageOf } from '@fife/api';
import { handler, type Bus, type Consumer, type HandlerContext } from '@fife/bus';
import { ACCOUNTS_DB, accountDbName, isNotFound, type Store, type StoredDoc } from '@fife/store';
import { PROVISIONED_MARK } from './kinds.js';

/** Where a document of a kind goes, once its id is known. */
export interface KindTarget {
  dbName: string;
  id: string;
  doc: StoredDoc;
  accountId?: string;
}

/** One document kind served by a whapp: how its documents are typed, validated and stored. */
export interface OwnedKind {
  /** The documents' pvt_type (`callgroup_extension` for the callgroup kind). */
  type: string;
  /** Validates a whole document (with _id and pvt_type); its output is what is stored. */
  schema: z.ZodType<any, any>;
  /** `account` (default): in each account's database; `accounts`: the accounts database itself. */
  scope?: 'account' | 'accounts';
  /** The stable id from a natural key, used when a put has no Document-ID. */
  idFor?(doc: Record<string, unknown>): string | undefined;
  /** Checks that need the store (a realm or SIP username used elsewhere): throw a FifeError with `context.field`. */
  check?(store: Store, target: KindTarget): Promise<void>;
  /** Runs before a write (the account kind creates the account's database first). */
  beforeWrite?(store: Store, target: KindTarget): Promise<void>;
  /** false: remove_req is refused (accounts). */
  removable?: boolean;
}

export interface ServeProvisioningOptions {
  kinds: Record<string, OwnedKind>;
  /** Shared durable queue of this whapp kind (default `fife.provisioning.<App-Name>`). */
  queue?: string;
  prefetch?: number;
}

const VERBS = ['put', 'remove', 'list'] as const;

/** How long a provisioning queue outlives its last consumer. */
export const QUEUE_EXPIRES_MS = 10 * 60_000;

type Issue = { field: string; message: string };

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({ field: i.path.length ? i.path.map(String).join('.') : '(document)', message: i.message }));
}

function withoutRev(doc: StoredDoc): StoredDoc {
  const { _rev: _ignored, ...rest } = doc;
  return rest;
}

/** The platform's own fields (`pvt_*`) of a stored document: a put keeps them; the caller only sets the mark. */
function privateFields(doc: StoredDoc | undefined): StoredDoc {
  return Object.fromEntries(Object.entries(doc ?? {}).filter(([k]) => k.startsWith('pvt_')));
}

/** What a caller may set: its own fields, and the provisioning mark only on a document it creates. */
function callerFields(doc: Record<string, unknown>, creating: boolean): StoredDoc {
  return Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('_') && (!k.startsWith('pvt_') || (creating && k === PROVISIONED_MARK))));
}

async function readDoc(store: Store, dbName: string, id: string): Promise<StoredDoc | undefined> {
  try {
    return (await store.db(dbName).get(id)) as StoredDoc;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function dbNameOf(kind: OwnedKind, accountId: string | undefined): string {
  if (kind.scope === 'accounts') return ACCOUNTS_DB;
  if (!accountId) throw new FifeError('provisioning.no_account', 'Account-ID is required for this kind', { field: 'Account-ID' });
  return accountDbName(accountId);
}

async function replyFailure(ctx: HandlerContext, operation: string, msg: Record<string, unknown>, err: unknown): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  ctx.log.warn({ err, kind: msg.Kind }, `provisioning ${operation} failed`);
  await ctx.reply(genericError, { 'Event-Name': `provisioning_${operation}`, 'Error-Message': message } as never);
}

type PutMsg = MessageOf<typeof provisioning.putReq>;

async function put(store: Store, kind: OwnedKind, msg: PutMsg, ctx: HandlerContext): Promise<void> {
  const reply = (fields: Record<string, unknown>) => ctx.reply(provisioning.putResp, { Kind: msg.Kind, ...(msg['Dry-Run'] ? { 'Dry-Run': true } : {}), ...fields } as never);
  const invalid = (issues: Issue[], id?: string) =>
    reply({ ...(id ? { 'Document-ID': id } : {}), Status: 'invalid', Field: issues[0]?.field ?? '(document)', 'Error-Message': issues[0]?.message ?? 'invalid', Issues: issues });
  const id = msg['Document-ID'] ?? kind.idFor?.(msg.Document);
  if (!id) return invalid([{ field: '(document)', message: 'no Document-ID, and this kind has no natural key to derive one from' }]);
  let dbName: string;
  try {
    dbName = dbNameOf(kind, msg['Account-ID']);
    if (kind.scope === 'accounts') accountDbName(id); // an account id must be a valid database suffix
  } catch (err) {
    return invalid([{ field: isFifeError(err, 'store.invalid_account_id') ? '_id' : 'Account-ID', message: (err as Error).message }], id);
  }
  const current = await readDoc(store, dbName, id);
  const merged: StoredDoc = {
    ...privateFields(current),
    ...(current ? {} : { pvt_created: new Date().toISOString() }),
    ...callerFields(msg.Document, current === undefined),
    _id: id,
    pvt_type: kind.type,
  };
  const parsed = kind.schema.safeParse(merged);
  if (!parsed.success) return invalid(issuesOf(parsed.error), id);
  const doc = parsed.data as StoredDoc;
  const target: KindTarget = { dbName, id, doc, ...(msg['Account-ID'] ? { accountId: msg['Account-ID'] } : {}) };
  try {
    await kind.check?.(store, target);
  } catch (err) {
    if (!isFifeError(err) || typeof err.context.field !== 'string') throw err;
    return invalid([{ field: err.context.field, message: err.message }], id);
  }
  const status = !current ? 'created' : isDeepStrictEqual(withoutRev(current), doc) ? 'unchanged' : 'changed';
  let stored = doc;
  if (!msg['Dry-Run'] && status !== 'unchanged') {
    await kind.beforeWrite?.(store, target);
    await store.prepareDb(dbName);
    const result = await store.upsert<StoredDoc>(dbName, id, () => doc, { schema: kind.schema as never });
    stored = result.doc ?? doc;
  }
  await reply({ 'Document-ID': id, Status: status, Document: withoutRev(stored) });
}

async function remove(store: Store, kind: OwnedKind, msg: MessageOf<typeof provisioning.removeReq>, ctx: HandlerContext): Promise<void> {
  if (kind.removable === false) throw new FifeError('provisioning.not_removable', `${msg.Kind} documents are not removed over provisioning`);
  const dbName = dbNameOf(kind, msg['Account-ID']);
  const id = msg['Document-ID'];
  const current = await readDoc(store, dbName, id);
  const reply = (status: 'removed' | 'absent') =>
    ctx.reply(provisioning.removeResp, { Kind: msg.Kind, 'Document-ID': id, Status: status, ...(msg['Dry-Run'] ? { 'Dry-Run': true } : {}) } as never);
  if (!current) return reply('absent');
  if (current.pvt_type !== kind.type) {
    throw new FifeError('provisioning.wrong_kind', `document ${id} is a ${String(current.pvt_type)}, not a ${msg.Kind}`, { id });
  }
  if (!msg['Dry-Run']) await store.upsert(dbName, id, () => null);
  await reply('removed');
}

async function list(store: Store, kind: OwnedKind, msg: MessageOf<typeof provisioning.listReq>, ctx: HandlerContext): Promise<void> {
  const dbName = dbNameOf(kind, msg['Account-ID']);
  let rows: Array<{ doc?: StoredDoc | null }> = [];
  try {
    rows = (await store.db(dbName).list({ include_docs: true })).rows as Array<{ doc?: StoredDoc | null }>;
  } catch (err) {
    if (!isNotFound(err)) throw err; // an account without its database yet holds nothing
  }
  const docs = rows.flatMap((r) => (r.doc && r.doc.pvt_type === kind.type ? [withoutRev(r.doc)] : []));
  await ctx.reply(provisioning.listResp, { Kind: msg.Kind, Documents: docs } as never);
}

/** Runs one operation for a served kind; a failure is answered with an error naming it, never thrown at the bus. */
function serving<M extends { Kind: string }>(
  operation: (typeof VERBS)[number],
  kinds: Record<string, OwnedKind>,
  store: Store,
  run: (store: Store, kind: OwnedKind, msg: M, ctx: HandlerContext) => Promise<void>,
) {
  return async (msg: M, ctx: HandlerContext) => {
    const kind = Object.hasOwn(kinds, msg.Kind) ? kinds[msg.Kind] : undefined;
    try {
      if (!kind) throw new FifeError('provisioning.unknown_kind', `this whapp does not serve kind "${msg.Kind}"`);
      await run(store, kind, msg, ctx);
    } catch (err) {
      await replyFailure(ctx, operation, msg, err);
    }
  };
}

/**
 * The owner side of provisioning: a whapp serves put/remove/list for its kinds, each validated with the
 * kind's own schema. One shared queue per whapp kind, bound to `provisioning.<verb>.<kind>` only.
 */
export async function serveProvisioning(bus: Bus, store: Store, options: ServeProvisioningOptions): Promise<Consumer> {
  const kinds = options.kinds;
  const names = Object.keys(kinds);
  if (names.length === 0) throw new FifeError('provisioning.no_kinds', 'serveProvisioning needs at least one kind');
  return bus.consume({
    queue: options.queue ?? `fife.provisioning.${bus.identity.appName}`,
    prefetch: options.prefetch ?? 8,
    bindings: names.flatMap((kind) => VERBS.map((verb) => ({ exchange: 'fife', key: `provisioning.${verb}.${kind}` }))),
    // A queue nobody consumed for a while goes away with its bindings: requests for its kinds then fail
    // at once as unroutable, instead of waiting out their deadline in a queue of a whapp that is gone.
    queueArguments: { 'x-expires': QUEUE_EXPIRES_MS },
    handlers: [
      handler(provisioning.putReq, serving('put', kinds, store, put)),
      handler(provisioning.removeReq, serving('remove', kinds, store, remove)),
      handler(provisioning.listReq, serving('list', kinds, store, list)),
    ],
  });
}
