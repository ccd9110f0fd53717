import { FifeError } from '@fife/api';
import {
  accountDbName,
  accountDocSchema,
  callflowDocSchema,
  deviceDocSchema,
  findAccountByRealm,
  isNotFound,
  userDocSchema,
  type Store,
} from '@fife/store';
import type { KindTarget, OwnedKind } from './serve.js';

type ViewRows = { rows: Array<{ id: string }> };

async function realmFree(store: Store, target: KindTarget): Promise<void> {
  const realm = String(target.doc.realm);
  const holder = await findAccountByRealm(store.server, realm);
  if (holder && holder.id !== target.id) {
    throw new FifeError('store.realm_taken', `realm "${realm}" already belongs to account ${holder.id}`, { field: 'realm' });
  }
}

async function sipUsernameFree(store: Store, target: KindTarget): Promise<void> {
  const username = String((target.doc.sip as { username?: unknown } | undefined)?.username ?? '');
  let answer: ViewRows;
  try {
    answer = (await store.db(target.dbName).view('devices', 'by_sip_username', { key: username.toLowerCase() })) as ViewRows;
  } catch (err) {
    if (isNotFound(err)) return; // no account database yet: nothing can clash
    throw err;
  }
  const other = answer.rows.find((row) => row.id !== target.id);
  if (other) throw new FifeError('store.sip_username_taken', `SIP username "${username}" is already used by device ${other.id}`, { field: 'sip.username' });
}

/** Accounts live in `accounts`; an account's database (with its design documents) exists before the account does. */
export const accountKind: OwnedKind = {
  type: 'account',
  schema: accountDocSchema,
  scope: 'accounts',
  removable: false,
  check: realmFree,
  beforeWrite: (store, target) => store.prepareDb(accountDbName(target.id)).then(() => undefined),
};

export const deviceKind: OwnedKind = { type: 'device', schema: deviceDocSchema, check: sipUsernameFree };
export const userKind: OwnedKind = { type: 'user', schema: userDocSchema };
export const callflowKind: OwnedKind = { type: 'callflow', schema: callflowDocSchema };

/** What the registrar serves: the documents SIP authentication reads. */
export const registrarKinds = { account: accountKind, device: deviceKind, user: userKind } as const;
