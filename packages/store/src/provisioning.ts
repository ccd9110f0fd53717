import type { ServerScope } from 'nano';
import { FifeError } from '@fife/api';
import { ACCOUNTS_DB, accountDbName, newAccountId, newDocId } from './db-names.js';
import { prepareDatabase } from './databases.js';
import { validateDocument } from './documents/registry.js';
import type { AccountDoc, NewAccount } from './documents/account.js';
import type { DeviceDoc, NewDevice } from './documents/device.js';
import { upsert } from './upsert.js';
import { isNotFound } from './retry.js';

type ViewRows = { rows: { id: string; key: unknown; value: unknown }[] };

/** The account whose realm matches (case-insensitively), or undefined. */
export async function findAccountByRealm(server: ServerScope, realm: string): Promise<{ id: string; name: string; enabled: boolean } | undefined> {
  const answer = (await server.use(ACCOUNTS_DB).view('accounts', 'by_realm', { key: realm.toLowerCase() })) as ViewRows;
  const row = answer.rows[0];
  if (!row) return undefined;
  const value = row.value as { name: string; enabled: boolean };
  return { id: row.id, name: value.name, enabled: value.enabled };
}

async function assertRealmFree(server: ServerScope, realm: string, accountId: string): Promise<void> {
  const holder = await findAccountByRealm(server, realm);
  if (holder && holder.id !== accountId) {
    throw new FifeError('store.realm_taken', `realm "${realm}" already belongs to account ${holder.id}`, { realm, accountId: holder.id });
  }
}

/**
 * Creates an account: its database (with design documents) first, then its document in `accounts`, so
 * a realm lookup never finds an account without a database. Returns the new 32-hex id. Realms are unique
 * case-insensitively (checked before writing; two simultaneous creators of one realm are not excluded).
 */
export async function createAccount(server: ServerScope, input: NewAccount): Promise<string> {
  const id = input._id ?? newAccountId();
  const doc = validateDocument({ ...input, _id: id, pvt_type: 'account', pvt_created: new Date().toISOString() }) as AccountDoc;
  await prepareDatabase(server, ACCOUNTS_DB);
  await assertRealmFree(server, doc.realm, id);
  await prepareDatabase(server, accountDbName(id));
  await upsert(server.use(ACCOUNTS_DB), id, (current) => ({ ...doc, pvt_created: current?.pvt_created ?? doc.pvt_created }));
  return id;
}

export async function getAccount(server: ServerScope, accountId: string): Promise<AccountDoc | undefined> {
  try {
    return (await server.use(ACCOUNTS_DB).get(accountId)) as unknown as AccountDoc;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function assertSipUsernameFree(server: ServerScope, dbName: string, username: string, deviceId: string): Promise<void> {
  const answer = (await server.use(dbName).view('devices', 'by_sip_username', { key: username.toLowerCase() })) as ViewRows;
  const other = answer.rows.find((row) => row.id !== deviceId);
  if (other) {
    throw new FifeError('store.sip_username_taken', `SIP username "${username}" is already used by device ${other.id}`, {
      username,
      deviceId: other.id,
    });
  }
}

/** Adds a device to an existing account (making sure its database and design documents are there). */
export async function createDevice(server: ServerScope, accountId: string, input: NewDevice): Promise<string> {
  const id = input._id ?? newDocId();
  const doc = validateDocument({ ...input, _id: id, pvt_type: 'device', pvt_created: new Date().toISOString() }) as DeviceDoc;
  if (!(await getAccount(server, accountId))) {
    throw new FifeError('store.account_not_found', `no account ${accountId}`, { accountId });
  }
  const dbName = accountDbName(accountId);
  await prepareDatabase(server, dbName);
  await assertSipUsernameFree(server, dbName, doc.sip.username, id);
  await upsert(server.use(dbName), id, (current) => ({ ...doc, pvt_created: current?.pvt_created ?? doc.pvt_created }));
  return id;
}
