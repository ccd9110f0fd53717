// Two registrar processes (two startWhapp instances) on the same queues and the same CouchDB.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { authn, registration } from '@fife/api';
import { REGISTRATIONS_DB, accountDbName } from '@fife/store';
import { a1Hash } from './domain/digest.js';
import { RawPeer, deleteQueues, eventually, peerMessage, startCouch, startRegistrar, uniqueRealm, type TestRegistrar } from './test-support.js';

type Body = Record<string, unknown>;

describe('two registrar processes sharing queues and CouchDB', { timeout: 60_000 }, () => {
  let couch: Awaited<ReturnType<typeof startCouch>>;
  let a: TestRegistrar;
  let b: TestRegistrar;
  let peer: RawPeer;
  const realm = uniqueRealm('cluster');
  const prefix = `test.registrar.cluster.${nanoid(6)}`;
  let accountId = '';
  let deviceId = '';

  before(async () => {
    couch = await startCouch('cluster');
    accountId = await couch.store.createAccount({ name: 'Cluster Co', realm });
    deviceId = await couch.store.createDevice(accountId, { sip: { username: '4001', password: 'first-password' } });
    const env = {
      COUCH_URL: couch.url,
      REGISTRAR_QUEUE_PREFIX: prefix,
      REGISTRAR_REALMS: realm,
      REGISTRAR_EXPIRES_DEVIATION_S: '0',
      REGISTRAR_SWEEP_INTERVAL_MS: '0',
      REGISTRAR_REG_PREFETCH: '50',
    };
    [a, b] = await Promise.all([startRegistrar(env), startRegistrar(env)]);
    peer = await RawPeer.open();
  });

  after(async () => {
    await peer?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await deleteQueues(Object.values(a?.runtime.queues ?? {}));
    await couch?.close();
  });

  const regSuccess = (user: string, contact: string, expires: number) =>
    peerMessage('directory', 'reg_success', { 'Event-Timestamp': Math.floor(Date.now() / 1000), Contact: contact, Expires: expires, Username: user, Realm: realm, Status: 'Registered' }, 'kamailio');
  const send = (msg: Body) => peer.publish('registrar', registration.success.routingKey(msg as never), msg);
  const docCount = async () =>
    (await couch.store.db(REGISTRATIONS_DB).view('registrations', 'by_aor', { startkey: '', endkey: '\ufff0' })).rows.filter((r) => String(r.key).endsWith(`@${realm}`)).length;

  test('300 reg_success (100 phones, each registering 3 times) spread over both: 100 documents, none lost, both indexes complete', async () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) send(regSuccess(`p${i}`, `<sip:p${i}@10.1.${round === 2 ? 2 : 1}.${i}:5060>;+sip.instance="<urn:uuid:${i}-phone>"`, 3600));
    }
    await eventually(() => a.runtime.writer.stats.batches + b.runtime.writer.stats.batches > 0 && a.runtime.writer.pending + b.runtime.writer.pending === 0, 5000, 'writes');
    await eventually(async () => (await docCount()) === 100, 5000, '100 documents');
    assert.ok(a.runtime.writer.stats.written > 0 && b.runtime.writer.stats.written > 0, 'both processes took a share');
    // Each process learns the other's writes from the changes feed.
    await eventually(() => a.runtime.index.size === 100 && b.runtime.index.size === 100, 3000, 'both indexes hold every phone');
    await eventually(
      () => [a, b].every((r) => [...r.runtime.index.all()].every((rec) => rec.contact_uri.startsWith(`sip:${rec.username}@10.1.2.`))),
      3000,
      'the last registration of every phone wins everywhere',
    );
    const docs = (await couch.store.db(REGISTRATIONS_DB).list({ include_docs: true })).rows.map((r) => r.doc as Body).filter((d) => d.realm === realm);
    assert.ok(docs.every((d) => String(d.contact).includes('@10.1.2.')), 'stored documents hold the newest contact');
  });

  test('reg_query is answered by whichever process takes it, with the same answer', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const msg = peerMessage('directory', 'reg_query', { Realm: realm, 'Count-Only': true });
        return peer.ask('registrar', registration.query.routingKey(msg as never), msg);
      }),
    );
    assert.ok(answers.every((r) => r?.Count === 100), JSON.stringify(answers.map((r) => r?.Count)));
    assert.equal(new Set(answers.map((r) => r?.Node)).size, 2, 'both processes answered some of them');
  });

  test('parallel sweeps in both processes delete every expired binding exactly once, conflicts ignored', async () => {
    for (let i = 0; i < 60; i++) send(regSuccess(`x${i}`, `sip:x${i}@10.9.0.${i}:5060`, 1));
    await eventually(async () => (await docCount()) === 160, 5000, '60 short bindings stored');
    await new Promise((r) => setTimeout(r, 1500));
    const [ra, rb] = await Promise.all([a.runtime.sweeper.sweepOnce(), b.runtime.sweeper.sweepOnce()]);
    assert.equal(ra.deleted + rb.deleted, 60, `deleted ${ra.deleted}+${rb.deleted}, conflicts ${ra.conflicts}+${rb.conflicts}`);
    assert.equal(await docCount(), 100, 'the long-lived bindings are untouched');
    await eventually(() => a.runtime.index.size === 100 && b.runtime.index.size === 100, 3000, 'indexes follow the sweep');
  });

  test('a password change applies within 1 s on both processes', async () => {
    // Warm both caches.
    for (const r of [a, b]) assert.equal((await r.runtime.directory.device(accountId, '4001'))?.password, 'first-password');
    for (const r of [a, b]) assert.equal(r.runtime.directory.peekDevice(accountId, '4001')?.password, 'first-password', 'served from memory');
    const changedAt = Date.now();
    await couch.store.upsert(accountDbName(accountId), deviceId, (doc) => ({ ...doc!, sip: { ...(doc!.sip as object), password: 'second-password' } }));
    const elapsed = await eventually(
      async () => {
        const seen = await Promise.all([a, b].map((r) => r.runtime.directory.device(accountId, '4001')));
        return seen.every((d) => d?.password === 'second-password');
      },
      1000,
      'new password on both',
    );
    assert.ok(Date.now() - changedAt <= 1000, `took ${elapsed} ms`);
    // And over the wire, whichever process answers:
    for (let i = 0; i < 4; i++) {
      const msg = peerMessage('directory', 'authn_req', { 'Auth-User': '4001', 'Auth-Realm': realm, To: `4001@${realm}`, From: `4001@${realm}` });
      const reply = await peer.ask('callmgr', authn.req.routingKey(msg as never), msg);
      assert.equal(reply?.['Auth-Password'], a1Hash('4001', realm, 'second-password'));
    }
  });
});
