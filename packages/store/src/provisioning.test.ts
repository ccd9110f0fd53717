import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { openStore } from './store.js';
import { accountDbName } from './db-names.js';
import { findAccountByRealm } from './provisioning.js';
import { compact } from './compact.js';
import { eventually, tempDir } from './test-support.js';

test('createAccount and createDevice prepare the account database and keep realms and SIP usernames unique', async () => {
  const dir = await tempDir('provision');
  const store = await openStore({ couchUrl: undefined, dataDir: dir.path });
  try {
    const accountId = await store.createAccount({ name: 'Acme', realm: 'Sip.Acme.example' });
    assert.match(accountId, /^[0-9a-f]{32}$/);
    assert.deepEqual(await findAccountByRealm(store.server, 'SIP.ACME.EXAMPLE'), { id: accountId, name: 'Acme', enabled: true });
    const dbName = accountDbName(accountId);
    assert.ok((await store.server.db.list()).includes(dbName));
    await store.db(dbName).get('_design/devices');

    await assert.rejects(store.createAccount({ name: 'Copycat', realm: 'sip.acme.EXAMPLE' }), (e: unknown) => isFifeError(e, 'store.realm_taken'));
    await assert.rejects(store.createAccount({ name: 'Bad', realm: '' }), (e: unknown) => isFifeError(e, 'store.invalid_document') && e.context.field === 'realm');

    const deviceId = await store.createDevice(accountId, { name: 'desk', sip: { username: 'Alice', password: 's3cret' } });
    const found = await store.db(dbName).view('devices', 'by_sip_username', { key: 'alice' });
    assert.deepEqual(found.rows.map((r) => r.id), [deviceId]);
    await assert.rejects(store.createDevice(accountId, { sip: { username: 'ALICE', password: 'x' } }), (e: unknown) => isFifeError(e, 'store.sip_username_taken'));
    await assert.rejects(store.createDevice('f'.repeat(32), { sip: { username: 'bob', password: 'x' } }), (e: unknown) => isFifeError(e, 'store.account_not_found'));

    const trunk = await store.createDevice(accountId, { sip: { username: 'pbx', method: 'ip', ip: '192.0.2.10' } });
    const byIp = await store.db(dbName).view('devices', 'by_ip', { key: '192.0.2.10' });
    assert.deepEqual(byIp.rows.map((r) => r.id), [trunk]);
  } finally {
    await store.close();
    await dir.remove();
  }
});

test('Store.upsert drops its own cached copy at once; getCached serves the rest from memory', async () => {
  const dir = await tempDir('store-cache');
  const store = await openStore({ couchUrl: undefined, dataDir: dir.path });
  try {
    const accountId = await store.createAccount({ name: 'Acme', realm: 'acme.example' });
    await store.watcher('accounts').waitUntilLive();
    assert.equal((await store.getCached<{ name: string }>('accounts', accountId))?.name, 'Acme');
    await store.upsert<{ name: string }>('accounts', accountId, (current) => current && { ...current, name: 'Acme Corp' });
    assert.equal((await store.getCached<{ name: string }>('accounts', accountId))?.name, 'Acme Corp', 'read-your-writes');
    // The feed then reports that write too (dropping the entry once more); after that, reads are hits.
    await eventually(async () => {
      await store.getCached('accounts', accountId);
      return store.cache('accounts').stats().hits >= 1;
    }, 1000, 'a read served from memory');
  } finally {
    await store.close();
    await dir.remove();
  }
});

test('compact runs against the embedded server and reports sizes', async () => {
  const dir = await tempDir('compact');
  const store = await openStore({ couchUrl: undefined, dataDir: dir.path });
  try {
    for (let i = 0; i < 20; i++) await store.upsert<{ n: number }>('registrations', 'churn', () => ({ n: i }));
    const report = await compact(store.db('registrations'), { cleanupViews: true });
    assert.equal(report.dbName, 'registrations');
    assert.equal(((await store.db('registrations').get('churn')) as unknown as { n: number }).n, 19, 'data survives compaction');
  } finally {
    await store.close();
    await dir.remove();
  }
});
