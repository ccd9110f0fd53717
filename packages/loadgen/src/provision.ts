import { createHash } from 'node:crypto';
import { FifeError } from '@fife/api';
import { accountDbName, bulkWrite, REGISTRATIONS_DB, type StoredDoc, type Store } from '@fife/store';

/** The SIP identity of phone `i` of a run (the device's credentials in CouchDB and the simulated phone's). */
export type PhoneIdentity = { username: string; password: string; deviceId: string };

const hex32 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

export function phoneIdentity(runId: string, i: number): PhoneIdentity {
  return { username: String(100_000 + i), password: `pw-${runId}-${i}`, deviceId: hex32(`${runId}/device/${i}`) };
}

/** The number that rings callee `k` (an exact-number callflow → its device). */
export const extensionOf = (k: number): string => String(500_000 + k);

async function writeAll(store: Store, dbName: string, docs: StoredDoc[]): Promise<void> {
  for (let at = 0; at < docs.length; at += 1000) {
    const report = await bulkWrite(store.db(dbName), docs.slice(at, at + 1000));
    if (report.failed.length > 0) throw new FifeError('loadgen.provision', `provisioning failed: ${JSON.stringify(report.failed[0])}`, { failed: report.failed.length });
  }
}

/**
 * One account with a device per phone and an exact-number callflow per callee, written in bulk through
 * the store's validated writes (the documents an operator's provisioning would create).
 */
export async function provisionAccount(store: Store, options: { runId: string; realm: string; phones: number; callees: number }): Promise<string> {
  const accountId = await store.createAccount({ name: `Load ${options.runId}`, realm: options.realm });
  const dbName = accountDbName(accountId);
  const devices = Array.from({ length: options.phones }, (_, i) => {
    const id = phoneIdentity(options.runId, i);
    return { _id: id.deviceId, pvt_type: 'device', name: `load phone ${i}`, sip: { username: id.username, password: id.password } };
  });
  await writeAll(store, dbName, devices);
  const callflows = Array.from({ length: options.callees }, (_, k) => ({
    _id: hex32(`${options.runId}/callflow/${k}`),
    pvt_type: 'callflow',
    numbers: [extensionOf(k)],
    flow: { module: 'device', data: { id: phoneIdentity(options.runId, k).deviceId }, children: {} },
  }));
  await writeAll(store, dbName, callflows);
  return accountId;
}

type DesignRows = { rows: Array<{ id: string; doc?: { views?: Record<string, unknown> } }> };

/**
 * Builds every view index of a database (one query per view), as they would long be built in a running
 * deployment: a run must measure steady state, not CouchDB indexing a bulk load on the first lookups.
 */
export async function buildViewIndexes(store: Store, dbName: string): Promise<number> {
  const db = store.db(dbName);
  const designs = (await db.list({ startkey: '_design/', endkey: '_design0', include_docs: true })) as unknown as DesignRows;
  let built = 0;
  for (const row of designs.rows) {
    for (const view of Object.keys(row.doc?.views ?? {})) {
      await db.view(row.id.slice('_design/'.length), view, { limit: 1 });
      built++;
    }
  }
  return built;
}

type ReduceRows = { rows: Array<{ key: unknown; value: number }> };
type ViewPage = { rows: unknown[] };

/** Contacts the registrar stored for the account (the registrations database's by_account count). */
export async function storedRegistrations(store: Store, accountId: string): Promise<number> {
  const answer = (await store.db(REGISTRATIONS_DB).view('registrations', 'by_account', { key: accountId, reduce: true, group: true })) as unknown as ReduceRows;
  return answer.rows[0]?.value ?? 0;
}

/** Contacts whose expiry is at or after `unixSeconds` (how many bindings were (re)written with a long enough Expires since a moment). */
export async function registrationsExpiringAfter(store: Store, unixSeconds: number): Promise<number> {
  // Rows are counted (keys only): PouchDB Server does not report a view's `offset` the way CouchDB does.
  const page = (await store.db(REGISTRATIONS_DB).view('registrations', 'by_expiry', { startkey: unixSeconds })) as unknown as ViewPage;
  return page.rows.length;
}
