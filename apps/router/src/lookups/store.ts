import type { Logger } from 'pino';
import { FifeError } from '@fife/api';
import { ACCOUNTS_DB, REGISTRATIONS_DB, accountDbName, aorKey, isAccountId, type Store } from '@fife/store';
import type { z } from 'zod';
import {
  resourceDocSchema,
  routingAccountSchema,
  routingDeviceSchema,
  routingUserSchema,
  type ResourceDoc,
  type RoutingAccount,
  type RoutingDevice,
  type RoutingUser,
} from '../domain/documents.js';
import type { CallflowRecord, Contact, FlowNode } from '../domain/lookups.js';
import { ChangeFedMemo } from './memo.js';

type Row = { id: string; key: unknown; value: unknown; doc?: Record<string, unknown> | null };
type Rows = { rows: Row[] };

/**
 * Reads the router needs from CouchDB, all through the store's changes-fed caches (a warm read costs
 * microseconds). A single document the call depends on (account, device, user) that does not fit the
 * router's schemas is a `router.invalid_document` error naming the field (the call gets a 503 with that
 * reason); in lists (a user's devices, resources) a bad one is skipped with a warning.
 */
export class StoreReads {
  private readonly memos = new Map<string, ChangeFedMemo>();
  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  /** Parsed answers of one database, kept until any of its documents changes (see ChangeFedMemo). */
  private memo(dbName: string): ChangeFedMemo {
    let memo = this.memos.get(dbName);
    if (!memo) {
      this.store.cache(dbName); // starts the database's changes watcher and raw cache
      memo = new ChangeFedMemo(this.store.watcher(dbName));
      this.memos.set(dbName, memo);
    }
    return memo;
  }

  /** Stops listening to the changes feeds (the store's watchers stay with the store). */
  close(): void {
    for (const memo of this.memos.values()) memo.close();
    this.memos.clear();
  }

  /** The accounts database's version: bumped by every change to any account document. */
  accountsVersion(): number | undefined {
    return this.memo(ACCOUNTS_DB).version;
  }

  /** The account database's memo: callers use its version to drop what they derived from it. */
  accountMemo(accountId: string): ChangeFedMemo | undefined {
    return isAccountId(accountId) ? this.memo(accountDbName(accountId)) : undefined;
  }

  private check<S extends z.ZodType>(schema: S, doc: unknown, what: string): z.infer<S> | FifeError | undefined {
    if (!doc) return undefined;
    const parsed = schema.safeParse(doc);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(document)';
    return new FifeError('router.invalid_document', `${what} is invalid: ${field}: ${issue?.message ?? 'invalid'}`, { what, field });
  }

  /** One document a call depends on: invalid is an error naming the field. */
  private parse<S extends z.ZodType>(schema: S, doc: unknown, what: string): z.infer<S> | undefined {
    const checked = this.check(schema, doc, what);
    if (checked instanceof FifeError) throw checked;
    return checked;
  }

  /** One document of a list: invalid is skipped, with a warning naming the field. */
  private parseOrSkip<S extends z.ZodType>(schema: S, doc: unknown, what: string): z.infer<S> | undefined {
    const checked = this.check(schema, doc, what);
    if (!(checked instanceof FifeError)) return checked;
    this.log.warn({ what, field: checked.context.field, reason: checked.message }, 'router: document skipped');
    return undefined;
  }

  private async docs(accountId: string, design: string, view: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    if (!isAccountId(accountId)) return [];
    const answer = await this.store.cache(accountDbName(accountId)).view<Rows>(design, view, { ...params, include_docs: true });
    const seen = new Set<string>();
    const out: Record<string, unknown>[] = [];
    for (const row of answer.rows) {
      if (!row.doc || seen.has(row.id)) continue;
      seen.add(row.id);
      out.push(row.doc);
    }
    return out;
  }

  async account(accountId: string): Promise<RoutingAccount | undefined> {
    if (!isAccountId(accountId)) return undefined;
    return this.memo(ACCOUNTS_DB).get(`account:${accountId}`, async () =>
      this.parse(routingAccountSchema, await this.store.getCached(ACCOUNTS_DB, accountId), `account ${accountId}`),
    );
  }

  /** The account a SIP realm belongs to (dry runs that name a caller but no account). */
  async accountIdByRealm(realm: string): Promise<string | undefined> {
    const key = realm.toLowerCase();
    return this.memo(ACCOUNTS_DB).get(`realm:${key}`, async () => {
      const answer = await this.store.cache(ACCOUNTS_DB).view<Rows>('accounts', 'by_realm', { key });
      return answer.rows[0]?.id;
    });
  }

  async callflows(accountId: string, numbers: string[]): Promise<CallflowRecord[]> {
    if (!isAccountId(accountId)) return [];
    return this.memo(accountDbName(accountId)).get(`callflows:${numbers.join(',')}`, () => this.readCallflows(accountId, numbers));
  }

  private async readCallflows(accountId: string, numbers: string[]): Promise<CallflowRecord[]> {
    const [exact, patterned] = await Promise.all([
      numbers.length ? this.docs(accountId, 'callflows', 'by_number', { keys: numbers }) : Promise.resolve([]),
      this.docs(accountId, 'callflows', 'by_pattern', {}),
    ]);
    const byId = new Map<string, CallflowRecord>();
    for (const doc of [...exact, ...patterned]) {
      const id = String(doc._id);
      if (byId.has(id) || typeof doc.flow !== 'object' || doc.flow === null) continue;
      byId.set(id, {
        id,
        ...(typeof doc.name === 'string' ? { name: doc.name } : {}),
        numbers: Array.isArray(doc.numbers) ? doc.numbers.filter((n): n is string => typeof n === 'string') : [],
        patterns: Array.isArray(doc.patterns) ? doc.patterns.filter((p): p is string => typeof p === 'string') : [],
        flow: doc.flow as FlowNode,
      });
    }
    return [...byId.values()];
  }

  async device(accountId: string, deviceId: string): Promise<RoutingDevice | undefined> {
    if (!isAccountId(accountId)) return undefined;
    const db = accountDbName(accountId);
    return this.memo(db).get(`device:${deviceId}`, async () => {
      const doc = await this.store.getCached(db, deviceId);
      return doc?.pvt_type === 'device' ? this.parse(routingDeviceSchema, doc, `device ${deviceId}`) : undefined;
    });
  }

  async deviceBySipUsername(accountId: string, username: string): Promise<RoutingDevice | undefined> {
    if (!isAccountId(accountId)) return undefined;
    const key = username.toLowerCase();
    return this.memo(accountDbName(accountId)).get(`sip:${key}`, async () => {
      const [doc] = await this.docs(accountId, 'devices', 'by_sip_username', { key });
      return this.parse(routingDeviceSchema, doc, `device ${username}`);
    });
  }

  async user(accountId: string, userId: string): Promise<RoutingUser | undefined> {
    if (!isAccountId(accountId)) return undefined;
    const db = accountDbName(accountId);
    return this.memo(db).get(`user:${userId}`, async () => {
      const doc = await this.store.getCached(db, userId);
      return doc?.pvt_type === 'user' ? this.parse(routingUserSchema, doc, `user ${userId}`) : undefined;
    });
  }

  async userDevices(accountId: string, userId: string): Promise<RoutingDevice[]> {
    if (!isAccountId(accountId)) return [];
    return this.memo(accountDbName(accountId)).get(`owner:${userId}`, async () => {
      const docs = await this.docs(accountId, 'devices', 'by_owner', { key: userId });
      return docs.map((doc) => this.parseOrSkip(routingDeviceSchema, doc, `device ${String(doc._id)}`)).filter((d): d is RoutingDevice => d !== undefined);
    });
  }

  async resources(accountId: string): Promise<ResourceDoc[]> {
    if (!isAccountId(accountId)) return [];
    return this.memo(accountDbName(accountId)).get('resources', async () => {
      const docs = await this.docs(accountId, 'resources', 'by_name', {});
      return docs.map((doc) => this.parseOrSkip(resourceDocSchema, doc, `resource ${String(doc._id)}`)).filter((r): r is ResourceDoc => r !== undefined);
    });
  }

  /** The registrations database directly: the fallback when no registrar answers reg_query. */
  async storedContacts(realm: string, username: string, nowUnix: number): Promise<Contact[]> {
    const answer = await this.store.cache(REGISTRATIONS_DB).view<Rows>('registrations', 'by_aor', { key: aorKey(username, realm), include_docs: true });
    const contacts: Contact[] = [];
    for (const row of answer.rows) {
      const doc = row.doc;
      if (!doc || typeof doc.contact !== 'string') continue;
      if (typeof doc.expires_at === 'number' && doc.expires_at < nowUnix) continue;
      contacts.push({
        uri: typeof doc.contact_uri === 'string' ? doc.contact_uri : contactUri(doc.contact),
        ...(typeof doc.path === 'string' ? { proxyPath: doc.path } : {}),
        ...(typeof doc.node === 'string' ? { node: doc.node } : {}),
      });
    }
    return contacts;
  }
}

/** `<sip:1001@10.0.0.1:5060;transport=udp>;expires=60` → `sip:1001@10.0.0.1:5060;transport=udp`. */
export function contactUri(contact: string): string {
  const bracketed = /<([^>]*)>/.exec(contact);
  return (bracketed ? bracketed[1]! : contact.split(/;expires=|;\+sip/)[0]!).trim();
}
