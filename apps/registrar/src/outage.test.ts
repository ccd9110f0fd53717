// CouchDB (the embedded server, as a process of its own) stops for 5 s under a running registrar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { authn, registration } from '@fife/api';
import { REGISTRATIONS_DB, openStore, spawnEmbeddedCouch } from '@fife/store';
import { a1Hash } from './domain/digest.js';
import { RawPeer, deleteQueues, eventually, peerMessage, startRegistrar, tempDir, uniqueRealm } from './test-support.js';

test('CouchDB down for 5 s: credentials from cache, registrations queued and written after, queries answered meanwhile', { timeout: 60_000 }, async () => {
  const dir = await tempDir('outage');
  const dataDir = join(dir.path, 'couch');
  let couch = await spawnEmbeddedCouch({ dataDir });
  const store = await openStore({ couchUrl: couch.url });
  const realm = uniqueRealm('outage');
  const peer = await RawPeer.open();
  const registrar = await (async () => {
    const accountId = await store.createAccount({ name: 'Outage Co', realm });
    await store.createDevice(accountId, { sip: { username: '5001', password: 'pw-5001' } });
    return startRegistrar({ COUCH_URL: couch.url, REGISTRAR_QUEUE_PREFIX: `test.registrar.outage.${nanoid(6)}`, REGISTRAR_REALMS: realm, REGISTRAR_SWEEP_INTERVAL_MS: '0' });
  })();
  const authnReq = () => peerMessage('directory', 'authn_req', { 'Auth-User': '5001', 'Auth-Realm': realm, To: `5001@${realm}`, From: `5001@${realm}` });
  const ask = (msg: Record<string, unknown>) => peer.ask('callmgr', authn.req.routingKey(msg as never), msg);
  try {
    assert.equal((await ask(authnReq()))?.['Auth-Password'], a1Hash('5001', realm, 'pw-5001'), 'warm');

    await couch.stop();
    const downAt = Date.now();
    // Credentials keep coming from the cache, without waiting for CouchDB.
    await eventually(() => !registrar.runtime.directory.live, 3000, 'the registrar to notice');
    const askedAt = Date.now();
    const during = await ask(authnReq());
    assert.ok(Date.now() - askedAt < 1400, `answered from cache (never after the 1.5 s store timeout) in ${Date.now() - askedAt} ms`);
    assert.equal(during?.['Event-Name'], 'authn_resp');
    assert.equal(during?.['Auth-Password'], a1Hash('5001', realm, 'pw-5001'));
    // A REGISTER meanwhile: queryable at once, its write waits for CouchDB.
    const reg = peerMessage('directory', 'reg_success', { 'Event-Timestamp': Math.floor(Date.now() / 1000), Contact: 'sip:5001@10.5.0.1:5060', Expires: 600, Username: '5001', Realm: realm });
    peer.publish('registrar', registration.success.routingKey(reg as never), reg);
    await eventually(() => registrar.runtime.writer.stats.retries > 0, 3000, 'a failed write attempt');
    const q = peerMessage('directory', 'reg_query', { Realm: realm, Username: '5001', Fields: ['Contact'] });
    assert.deepEqual((await peer.ask('registrar', registration.query.routingKey(q as never), q))?.Fields, [{ Contact: 'sip:5001@10.5.0.1:5060' }]);
    // An unknown user cannot be looked up: the registrar stays silent rather than reject wrongly.
    const unknown = { ...authnReq(), 'Auth-User': '5999', To: `5999@${realm}` };
    assert.equal(await peer.ask('callmgr', authn.req.routingKey(unknown as never), unknown, 1600), undefined);

    await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (Date.now() - downAt))));
    couch = await spawnEmbeddedCouch({ dataDir, port: couch.port });
    await eventually(async () => {
      const rows = await store.db(REGISTRATIONS_DB).view('registrations', 'by_aor', { key: `5001@${realm}` }).catch(() => ({ rows: [] }));
      return rows.rows.length === 1;
    }, 8000, 'the queued registration written once CouchDB is back');
    assert.equal(registrar.runtime.writer.pending, 0);
    assert.equal((await ask(authnReq()))?.['Event-Name'], 'authn_resp');
  } finally {
    await peer.close();
    await registrar.stop();
    await deleteQueues(Object.values(registrar.runtime.queues));
    await store.close();
    await couch.stop();
    await dir.remove();
  }
});
