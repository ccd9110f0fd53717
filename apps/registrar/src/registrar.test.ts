// One registrar, one embedded CouchDB, a real broker: authentication cases and the registration lifecycle.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { authn, registration } from '@fife/api';
import { REGISTRATIONS_DB, accountDbName } from '@fife/store';
import { a1Hash, digestResponse } from './domain/digest.js';
import { RawPeer, deleteQueues, eventually, peerMessage, startCouch, startRegistrar, uniqueRealm, type TestRegistrar } from './test-support.js';

type Body = Record<string, unknown>;

describe('registrar: authentication and registrations', { timeout: 60_000 }, () => {
  let couch: Awaited<ReturnType<typeof startCouch>>;
  let registrar: TestRegistrar;
  let peer: RawPeer;
  const realm = uniqueRealm('auth');
  const disabledRealm = uniqueRealm('off');
  const unknownRealm = uniqueRealm('nobody');
  const prefix = `test.registrar.main.${nanoid(6)}`;
  const ownerId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
  const disabledOwner = 'dead0000dead0000dead0000dead0000';
  let accountId = '';
  const ids: Record<string, string> = {};

  before(async () => {
    couch = await startCouch('main');
    const { store } = couch;
    accountId = await store.createAccount({ name: 'Auth Co', realm });
    ids.d2001 = await store.createDevice(accountId, { sip: { username: '2001', password: 'secret-2001' }, owner_id: ownerId });
    ids.d2002 = await store.createDevice(accountId, { sip: { username: '2002', password: 'secret-2002' }, enabled: false });
    ids.d2004 = await store.createDevice(accountId, { sip: { username: '2004', password: 'secret-2004' }, allow_clear_password: true });
    ids.trunk = await store.createDevice(accountId, { sip: { username: 'trunk1', method: 'ip', ip: '2001:db8::7' } });
    await store.upsert(accountDbName(accountId), disabledOwner, () => ({ pvt_type: 'user', first_name: 'Gone', enabled: false }));
    ids.d2009 = await store.createDevice(accountId, { sip: { username: '2009', password: 'secret-2009' }, owner_id: disabledOwner });
    const off = await store.createAccount({ name: 'Off Co', realm: disabledRealm, enabled: false });
    await store.createDevice(off, { sip: { username: '3001', password: 'secret-3001' } });
    registrar = await startRegistrar({
      COUCH_URL: couch.url,
      REGISTRAR_QUEUE_PREFIX: prefix,
      REGISTRAR_REALMS: [realm, disabledRealm, unknownRealm, '192.0.2.44'].join(','),
      REGISTRAR_EXPIRES_DEVIATION_S: '0',
      REGISTRAR_MAX_CONTACTS: '3',
      REGISTRAR_SWEEP_INTERVAL_MS: '0',
    });
    peer = await RawPeer.open();
  });

  after(async () => {
    await peer?.close();
    await registrar?.stop();
    await deleteQueues(Object.values(registrar?.runtime.queues ?? {}));
    await couch?.close();
  });

  const authnReq = (user: string, authRealm: string, extra: Body = {}, app: 'ecallmgr' | 'kamailio' = 'ecallmgr') =>
    peerMessage('directory', 'authn_req', { 'Auth-User': user, 'Auth-Realm': authRealm, To: `${user}@${authRealm}`, From: `${user}@${authRealm}`, 'Orig-IP': '198.51.100.9', ...extra }, app);
  const ask = (msg: Body, ms = 1500) => peer.ask('callmgr', authn.req.routingKey(msg as never), msg, ms);

  describe('authn_req', () => {
    test('known user: a1-hash a phone digest verifies against, CCVs with Owner-ID; realm matched case-insensitively', async () => {
      const reply = await ask(authnReq('2001', realm.toUpperCase()));
      assert.ok(reply);
      assert.equal(reply['Event-Name'], 'authn_resp');
      assert.equal(reply['Auth-Method'], 'a1-hash');
      // FreeSWITCH checks the phone's digest against the a1-hash: it must be over the realm as the phone wrote it.
      const ha1 = a1Hash('2001', realm.toUpperCase(), 'secret-2001');
      assert.equal(reply['Auth-Password'], ha1);
      assert.equal(digestResponse(reply['Auth-Password'] as string, 'REGISTER', `sip:${realm}`, 'n0nce'), digestResponse(ha1, 'REGISTER', `sip:${realm}`, 'n0nce'));
      const ccv = reply['Custom-Channel-Vars'] as Body;
      assert.equal(ccv['Account-ID'], accountId);
      assert.equal(ccv['Authorizing-ID'], ids.d2001);
      assert.equal(ccv['Authorizing-Type'], 'device');
      assert.equal(ccv['Owner-ID'], ownerId);
      assert.equal(ccv['Account-Realm'], realm);
      assert.equal(ccv['Account-Name'], 'Auth Co');
      assert.equal(ccv.Username, '2001');
    });

    test('Auth-User "unknown" falls back to the user of To', async () => {
      const reply = await ask(authnReq('unknown', realm, { To: `sip:2001@${realm}` }));
      assert.equal(reply?.['Event-Name'], 'authn_resp');
      assert.equal((reply?.['Custom-Channel-Vars'] as Body)['Authorizing-ID'], ids.d2001);
    });

    test('wrong realm, unknown user, disabled device, disabled owner, disabled account: authn_err with Defer-Response "true"', async () => {
      for (const msg of [authnReq('2001', unknownRealm), authnReq('2999', realm), authnReq('2002', realm), authnReq('2009', realm), authnReq('3001', disabledRealm)]) {
        const reply = await ask(msg);
        assert.ok(reply, `no reply for ${msg['Auth-User']}@${msg['Auth-Realm']}`);
        assert.equal(reply['Event-Name'], 'authn_err');
        assert.equal(reply['Defer-Response'], 'true');
        assert.equal(reply['Msg-ID'], msg['Msg-ID']);
        assert.equal(authn.err.schema.safeParse(reply).success, true);
      }
    });

    test('an IP-literal realm nobody provisioned gets no answer at all (as Kazoo)', async () => {
      const msg = authnReq('2001', '192.0.2.44', { To: '2001@192.0.2.44' });
      const from = peer.mark;
      await peer.listen(String(msg['Server-ID']));
      peer.publish('callmgr', 'authn.req.192%2E0%2E2%2E44', msg);
      assert.deepEqual(await peer.repliesTo(String(msg['Msg-ID']), 400, false, from), []);
    });

    test('IP authentication: a trunk from its address gets Auth-Method ip, from elsewhere authn_err', async () => {
      const byName = await ask(authnReq('trunk1', realm, { 'Orig-IP': '2001:0db8:0:0::7' }));
      assert.equal(byName?.['Auth-Method'], 'ip');
      assert.equal((byName?.['Custom-Channel-Vars'] as Body)['Authorizing-ID'], ids.trunk);
      assert.notEqual(byName?.['Auth-Password'], '', 'the password is a random unusable value');
      const byAddress = await ask(authnReq('anything', realm, { 'Orig-IP': '2001:db8::7' }));
      assert.equal(byAddress?.['Auth-Method'], 'ip');
      assert.equal(byAddress?.['Auth-Username'], 'trunk1');
      const elsewhere = await ask(authnReq('trunk1', realm, { 'Orig-IP': '2001:db8::8' }));
      assert.equal(elsewhere?.['Event-Name'], 'authn_err');
    });

    test('Kamailio-style requester: clear password where allowed, authn_err where not', async () => {
      const allowed = await ask(authnReq('2004', realm, { Method: 'REGISTER', To: `sip:2004@${realm}`, From: `sip:2004@${realm}` }, 'kamailio'));
      assert.equal(allowed?.['Auth-Method'], 'password');
      assert.equal(allowed?.['Auth-Password'], 'secret-2004');
      const refused = await ask(authnReq('2001', realm, { Method: 'REGISTER' }, 'kamailio'));
      assert.equal(refused?.['Event-Name'], 'authn_err');
      assert.equal(refused?.['Auth-Password'], undefined);
    });

    test('Kazoo 5 key: authn_req on registrar/authn.endpoint.req.<realm> is answered too', async () => {
      const msg = authnReq('2001', realm);
      const reply = await peer.ask('registrar', `authn.endpoint.req.${realm.replace(/\./g, '%2E')}`, msg);
      assert.equal(reply?.['Event-Name'], 'authn_resp');
    });

    test('an invalid authn_req is dead-lettered, never answered, and the registrar keeps answering', async () => {
      const bad = authnReq('2001', realm);
      delete bad['Auth-User'];
      const from = peer.mark;
      await peer.listen(String(bad['Server-ID']));
      peer.publish('callmgr', `authn.req.${realm.replace(/\./g, '%2E')}`, bad);
      peer.channel.publish('callmgr', `authn.req.${realm.replace(/\./g, '%2E')}`, Buffer.from('{not json'));
      assert.deepEqual(await peer.repliesTo(String(bad['Msg-ID']), 300, false, from), []);
      assert.equal((await ask(authnReq('2001', realm)))?.['Event-Name'], 'authn_resp');
    });
  });

  describe('registrations', () => {
    const regSuccess = (user: string, contact: string, extra: Body = {}) =>
      peerMessage('directory', 'reg_success', {
        'Event-Timestamp': 63877470274 + Math.floor(Math.random() * 10), // Gregorian, as ecallmgr sends it
        Contact: contact,
        Expires: '3600',
        Username: user,
        Realm: realm,
        'Network-IP': '198.51.100.9',
        'Network-Port': '5060',
        'User-Agent': 'TestPhone 1.0',
        'Call-ID': `${nanoid()}@198.51.100.9`,
        'FreeSWITCH-Nodename': 'freeswitch@fs-test',
        ...extra,
      });
    const send = (msg: Body) => peer.publish('registrar', registration.success.routingKey(msg as never), msg);
    const query = async (fields: Body) => {
      const msg = peerMessage('directory', 'reg_query', { Realm: realm, ...fields });
      return peer.ask('registrar', registration.query.routingKey(msg as never), msg);
    };
    const stored = async (user: string) =>
      (await couch.store.db(REGISTRATIONS_DB).view('registrations', 'by_aor', { key: `${user}@${realm}`, include_docs: true })).rows.map((r) => r.doc as Body);
    const settled = () => eventually(() => registrar.runtime.writer.pending === 0, 3000, 'writes flushed');

    test('register: stored with node, network address, user agent, Call-ID, expires_at; visible to reg_query', async () => {
      const before = Math.floor(Date.now() / 1000);
      const msg = regSuccess('2001', 'sip:2001@198.51.100.9:5060;transport=udp');
      send(msg);
      await eventually(async () => (await stored('2001')).length === 1, 3000, 'document');
      const [doc] = await stored('2001');
      assert.equal(doc!.pvt_type, 'registration');
      assert.equal(doc!.node, 'freeswitch@fs-test');
      assert.equal(doc!.network_ip, '198.51.100.9');
      assert.equal(doc!.network_port, 5060);
      assert.equal(doc!.user_agent, 'TestPhone 1.0');
      assert.equal(doc!.call_id, msg['Call-ID']);
      assert.ok((doc!.expires_at as number) >= before + 3600 && (doc!.expires_at as number) <= before + 3602);
      const reply = await query({ Username: '2001' });
      assert.equal(reply?.['Event-Name'], 'reg_query_resp');
      const [binding] = reply!.Fields as Body[];
      assert.equal(binding!.Contact, 'sip:2001@198.51.100.9:5060;transport=udp');
      assert.equal(binding!['Event-Timestamp'], msg['Event-Timestamp']);
      assert.equal(binding!.Expires, 3600);
      // FreeSWITCH register events carry no CCVs: the registrar fills in the device it knows (as Kazoo's ecallmgr does).
      assert.equal(binding!['Account-ID'], accountId);
      assert.equal(binding!['Authorizing-ID'], ids.d2001);
      assert.equal(binding!['Owner-ID'], ownerId);
      assert.equal(doc!.account_id, accountId);
      assert.equal(doc!.authorizing_id, ids.d2001);
    });

    test('re-register refreshes the same document (transport case and Call-ID differ); first registration time kept', async () => {
      const [first] = await stored('2001');
      await new Promise((r) => setTimeout(r, 1100));
      send(regSuccess('2001', '<sip:2001@198.51.100.9:5060;transport=UDP>', { Expires: 1800 }));
      await eventually(async () => (await stored('2001'))[0]?.expires === 1800, 3000, 'refresh');
      const docs = await stored('2001');
      assert.equal(docs.length, 1, 'no duplicate binding');
      assert.equal(docs[0]!._id, first!._id);
      assert.equal(docs[0]!.initial_registration, first!.initial_registration);
      assert.ok((docs[0]!.last_registration as number) > (first!.last_registration as number));
    });

    test('IPv6 contacts are parsed and stored; +sip.instance makes a moved phone replace its binding', async () => {
      const instance = '+sip.instance="<urn:uuid:00000000-0000-1000-8000-00a0c91e6bf6>";reg-id=1';
      send(regSuccess('2005', `"Desk" <sip:2005@[2001:db8::5]:5060;transport=tcp>;${instance}`));
      await eventually(async () => (await stored('2005')).length === 1, 3000, 'IPv6 binding');
      const [doc] = await stored('2005');
      assert.equal(doc!.contact_uri, 'sip:2005@[2001:db8::5]:5060;transport=tcp');
      assert.equal(doc!.instance_id, 'urn:uuid:00000000-0000-1000-8000-00a0c91e6bf6');
      assert.equal(doc!.reg_id, '1');
      send(regSuccess('2005', `<sip:2005@[2001:db8::99]:5062;transport=tcp>;${instance}`));
      await eventually(async () => (await stored('2005'))[0]?.contact_uri === 'sip:2005@[2001:db8::99]:5062;transport=tcp', 3000, 'moved');
      assert.equal((await stored('2005')).length, 1);
      const reply = await query({ Username: '2005', Fields: ['Contact'] });
      assert.deepEqual(reply?.Fields, [{ Contact: 'sip:2005@[2001:db8::99]:5062;transport=tcp' }]);
    });

    test('max contacts per device: the oldest binding is evicted', async () => {
      for (let i = 1; i <= 4; i++) {
        send(regSuccess('2006', `sip:2006@10.0.0.${i}:5060`));
        await settled();
        await new Promise((r) => setTimeout(r, 5));
      }
      await eventually(async () => (await stored('2006')).length === 3, 3000, 'three bindings');
      const hosts = (await stored('2006')).map((d) => d.contact).sort();
      assert.deepEqual(hosts, ['sip:2006@10.0.0.2:5060', 'sip:2006@10.0.0.3:5060', 'sip:2006@10.0.0.4:5060']);
      const count = await query({ Username: '2006', 'Count-Only': true });
      assert.equal(count?.Count, 3);
    });

    test('unregister: Expires 0 removes one binding, Contact * removes them all', async () => {
      send(regSuccess('2006', 'sip:2006@10.0.0.3:5060', { Expires: 0 }));
      await eventually(async () => (await stored('2006')).length === 2, 3000, 'one removed');
      send(regSuccess('2006', '*', { Expires: '0' }));
      await eventually(async () => (await stored('2006')).length === 0, 3000, 'all removed');
      const reply = await query({ Username: '2006' });
      assert.equal(reply?.['Event-Name'], 'reg_query_error');
    });

    test('expiry: an expired binding is never returned, even before the sweep; the sweep then deletes it', async () => {
      send(regSuccess('2007', 'sip:2007@10.0.0.7:5060', { Expires: 1 }));
      await eventually(async () => (await stored('2007')).length === 1, 3000, 'stored');
      await eventually(async () => (await query({ Username: '2007' }))?.['Event-Name'] === 'reg_query_error', 3000, 'expired in queries');
      assert.equal((await stored('2007')).length, 1, 'still in CouchDB until swept');
      const report = await registrar.runtime.sweeper.sweepOnce();
      assert.ok(report.deleted >= 1);
      assert.equal((await stored('2007')).length, 0);
      assert.equal(registrar.runtime.index.forAor(`2007@${realm}`).length, 0);
    });

    test('reg_flush: Cache-Only drops cached credentials only; without it the user\'s bindings are removed', async () => {
      send(regSuccess('2001', 'sip:2001@10.0.0.8:5060'));
      await eventually(async () => (await stored('2001')).length === 2, 3000, 'second binding');
      const flush = (extra: Body) => {
        const msg = peerMessage('directory', 'reg_flush', { Realm: realm, Username: '2001', ...extra });
        peer.publish('registrar', registration.flush.routingKey(msg as never), msg);
      };
      assert.ok(registrar.runtime.directory.peekDevice(accountId, '2001'), 'cached before');
      flush({ 'Cache-Only': 'true' });
      await eventually(() => registrar.runtime.directory.peekDevice(accountId, '2001') === undefined, 2000, 'cache flushed');
      assert.equal((await stored('2001')).length, 2, 'bindings kept');
      flush({});
      await eventually(async () => (await stored('2001')).length === 0, 3000, 'bindings flushed');
      assert.equal((await query({ Username: '2001' }))?.['Event-Name'], 'reg_query_error');
      send(regSuccess('2001', 'sip:2001@198.51.100.9:5060;transport=udp'));
      send(regSuccess('2005', `<sip:2005@[2001:db8::99]:5062;transport=tcp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-00a0c91e6bf6>";reg-id=1`));
      await eventually(async () => (await stored('2001')).length === 1, 3000, 'registered again');
    });

    test('realm-wide query (no Username) and Realm "all" with Count-Only', async () => {
      const all = await query({ Fields: ['Username', 'Contact'] });
      const users = (all?.Fields as Body[]).map((f) => f.Username).sort();
      assert.deepEqual(users, ['2001', '2005']);
      const msg = peerMessage('directory', 'reg_query', { Realm: 'all', 'Count-Only': 'true' });
      const everywhere = await peer.ask('registrar', `registration.query.${realm.replace(/\./g, '%2E')}.*`, msg);
      assert.equal(everywhere?.Count, 2);
      assert.deepEqual(everywhere?.Fields, []);
    });
  });
});
