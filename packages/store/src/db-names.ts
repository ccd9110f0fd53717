import { randomBytes } from 'node:crypto';
import { FifeError } from '@fife/api';

/**
 * Database naming.
 *
 * Kazoo shards account databases as `account/4f/e6/9c5b…` (URL-encoded `account%2F4f%2F…`). The embedded
 * PouchDB Server sanitises `/` out of database names (it maps names to folders), so the same name would
 * read back differently from the two servers. Fife therefore uses the flat form `account_<32 hex>`, which
 * CouchDB and PouchDB Server both store and list verbatim.
 */
export const ACCOUNTS_DB = 'accounts';
export const REGISTRATIONS_DB = 'registrations';
export const ACCOUNT_DB_PREFIX = 'account_';

/** The kinds of database whose design documents live in couchdb-views/<kind>/. */
export const DB_KINDS = ['accounts', 'account', 'registrations'] as const;
export type DbKind = (typeof DB_KINDS)[number];

const ACCOUNT_ID = /^[0-9a-f]{32}$/;
const COUCH_DB_NAME = /^[a-z][a-z0-9_$()+/-]*$/;

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

/** A fresh account id: 32 lowercase hex characters, like Kazoo's. */
export function newAccountId(): string {
  return randomBytes(16).toString('hex');
}

/** Same shape as an account id; used for any document that needs an opaque random id. */
export const newDocId = newAccountId;

export function accountDbName(accountId: string): string {
  if (!isAccountId(accountId)) {
    // Quoted in part: the value comes from requests, and a 100 KB one would be logged whole (twice).
    const shown = accountId.length > 64 ? `${accountId.slice(0, 64)}…` : accountId;
    throw new FifeError('store.invalid_account_id', `account id must be 32 lowercase hex characters, got "${shown}" (${accountId.length} characters)`, {
      accountId: shown,
    });
  }
  return ACCOUNT_DB_PREFIX + accountId;
}

/** The account id inside an account database name, or undefined when the name is not one. */
export function accountIdFromDbName(dbName: string): string | undefined {
  if (!dbName.startsWith(ACCOUNT_DB_PREFIX)) return undefined;
  const id = dbName.slice(ACCOUNT_DB_PREFIX.length);
  return isAccountId(id) ? id : undefined;
}

/** What kind of database a name denotes, so the right design documents can be synced into it. */
export function dbKindOf(dbName: string): DbKind | undefined {
  if (dbName === ACCOUNTS_DB) return 'accounts';
  if (dbName === REGISTRATIONS_DB) return 'registrations';
  return accountIdFromDbName(dbName) === undefined ? undefined : 'account';
}

/** CouchDB's own rule; checked locally because PouchDB Server accepts names CouchDB would refuse. */
export function isValidDbName(name: string): boolean {
  return name.length <= 238 && COUCH_DB_NAME.test(name);
}

export function assertValidDbName(name: string): void {
  if (!isValidDbName(name)) {
    throw new FifeError('store.invalid_db_name', `"${name}" is not a valid CouchDB database name`, { name });
  }
}
