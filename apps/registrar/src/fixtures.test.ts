// Every kapi authn / registration fixture, sent as the peer sent it, answered as Kazoo answers it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nanoid } from 'nanoid';
import { authn, registration } from '@fife/api';
import { fixturePath, sharedSkip } from '@fife/testkit';
import { accountDbName } from '@fife/store';
import { a1Hash } from './domain/digest.js';
import { parseContact } from './domain/contact.js';
import { RawPeer, deleteQueues, eventually, startCouch, startRegistrar, type TestRegistrar } from './test-support.js';

type Body = Record<string, unknown>;
const kapi = (name: string): Body => JSON.parse(readFileSync(fixturePath('kapi', name), 'utf8'));
const wire = (name: string): { exchange: string; routingKey: string; body: Body } =>
  JSON.parse(readFileSync(fixturePath('kapi', 'kamailio-wire', name), 'utf8'));

/** The fixture's own Server-ID with a unique tail (same shape), so parallel runs cannot see each other's replies. */
const own = (body: Body): Body => ({ ...body, 'Server-ID': `${body['Server-ID']}.${nanoid(6)}` });

describe('kapi fixtures against a running registrar', { skip: sharedSkip, timeout: 60_000 }, () => {
  let couch: Awaited<ReturnType<typeof startCouch>>;
  let registrar: TestRegistrar;
  let peer: RawPeer;
  const prefix = `test.registrar.fixtures.${nanoid(6)}`;
  const accountId = '4fe69c5b61015084f1fe5684abc6e502';
  const kamAccountId = 'ab000000000000000000000000000001';

  before(async () => {
    couch = await startCouch('fixtures');
    const { store } = couch;
    await store.createAccount({ _id: accountId, name: 'Example Corp', realm: 'sip.example.com' });
    await store.createDevice(accountId, {
      _id: '9a1d6b4c3e2f41d7a0c8b5e6f7a8b9c0',
      sip: { username: '1001', password: 'Zx8qL2vW9pRt' },
      owner_id: '1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f',
    });
    await store.createAccount({ _id: kamAccountId, name: 'Harness', realm: '127.0.0.1', allow_clear_password: true });
    await store.createDevice(kamAccountId, { _id: 'ab000000000000000000000000001000', sip: { username: '1000', password: 'harness-secret-1000' } });
    registrar = await startRegistrar({
      COUCH_URL: couch.url,
      REGISTRAR_QUEUE_PREFIX: prefix,
      REGISTRAR_REALMS: 'sip.example.com,127.0.0.1',
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

  test('authn_req.json (ecallmgr) → authn_resp with an a1-hash and the CCVs of authn_resp.json', async () => {
    const req = own(kapi('authn_req.json'));
    const expected = kapi('authn_resp.json');
    const reply = await peer.ask('callmgr', authn.req.routingKey(req as never), req);
    assert.ok(reply, 'no reply');
    assert.equal(reply['Event-Name'], 'authn_resp');
    assert.equal(reply['Event-Category'], 'directory');
    assert.equal(reply['Msg-ID'], expected['Msg-ID']);
    assert.equal(reply['App-Name'], 'registrar');
    assert.equal(reply['Auth-Method'], 'a1-hash', 'Fife never hands ecallmgr the clear password');
    assert.equal(reply['Auth-Password'], a1Hash('1001', 'sip.example.com', expected['Auth-Password'] as string));
    assert.deepEqual(reply['Custom-Channel-Vars'], expected['Custom-Channel-Vars']);
    assert.equal(reply.Expires, 3600);
    assert.equal(reply['Suppress-Unregister-Notifications'], false);
    assert.equal(reply['Server-ID'], undefined, "the registrar's authn_resp carries no Server-ID (kazoo-wire §1.4)");
    assert.equal(authn.resp.schema.safeParse(reply).success, true);
  });

  test('authn_req_kamailio.json without clear passwords enabled → authn_err.json (Defer-Response "true")', async () => {
    const req = own(kapi('authn_req_kamailio.json'));
    const expected = kapi('authn_err.json');
    const reply = await peer.ask('callmgr', 'authn.req.sip%2Eexample%2Ecom', req);
    assert.ok(reply);
    for (const key of ['Event-Category', 'Event-Name', 'Msg-ID', 'Defer-Response', 'App-Name']) assert.equal(reply[key], expected[key], key);
    assert.equal(reply['Auth-Password'], undefined);
  });

  test('authn_req_kamailio.json once the account allows clear passwords → authn_resp.json (password, same CCVs)', async () => {
    await couch.store.upsert('accounts', accountId, (doc) => ({ ...doc!, allow_clear_password: true }));
    const expected = kapi('authn_resp.json');
    // The edit reaches the registrar through the accounts changes feed.
    let reply: Body | undefined;
    await eventually(async () => {
      const req = own({ ...kapi('authn_req_kamailio.json'), 'Msg-ID': nanoid() });
      reply = await peer.ask('callmgr', 'authn.req.sip%2Eexample%2Ecom', req);
      return reply?.['Event-Name'] === 'authn_resp';
    }, 2000, 'clear password allowed');
    assert.equal(reply!['Auth-Method'], expected['Auth-Method']);
    assert.equal(reply!['Auth-Password'], expected['Auth-Password']);
    assert.deepEqual(reply!['Custom-Channel-Vars'], expected['Custom-Channel-Vars']);
    await couch.store.upsert('accounts', accountId, (doc) => ({ ...doc!, allow_clear_password: false }));
  });

  test('kamailio-wire authn_req.json (IP-literal realm an operator provisioned) → authn_resp-password.json', async () => {
    const { exchange, routingKey, body } = wire('authn_req.json');
    const expected = wire('authn_resp-password.json').body;
    const reply = await peer.ask(exchange, routingKey, own(body));
    assert.ok(reply);
    assert.equal(reply['Event-Name'], expected['Event-Name']);
    assert.equal(reply['Msg-ID'], body['Msg-ID']);
    assert.equal(reply['Auth-Method'], 'password');
    assert.equal(reply['Auth-Password'], expected['Auth-Password']);
    const ccv = reply['Custom-Channel-Vars'] as Body;
    const want = expected['Custom-Channel-Vars'] as Body;
    for (const key of ['Username', 'Realm', 'Authorizing-Type']) assert.equal(ccv[key], want[key], key);
    assert.equal(ccv['Account-ID'], kamAccountId);
  });

  test('kamailio-wire authn_req.json for an unknown user → authn_err.json', async () => {
    const { exchange, routingKey, body } = wire('authn_req.json');
    const expected = wire('authn_err.json').body;
    const req = own({ ...body, 'Auth-User': '1999', From: 'sip:1999@127.0.0.1', To: 'sip:1999@127.0.0.1' });
    const reply = await peer.ask(exchange, routingKey, req);
    assert.ok(reply);
    assert.equal(reply['Event-Name'], expected['Event-Name']);
    assert.equal(reply['Defer-Response'], expected['Defer-Response']);
  });

  test('reg_success.json then reg_query.json → reg_query_resp.json (Fields reduced, Gregorian timestamp, +180 s)', async () => {
    const success = kapi('reg_success.json');
    peer.publish('registrar', registration.success.routingKey(success as never), success);
    await eventually(() => registrar.runtime.writer.stats.written >= 1, 3000, 'binding written');
    const query = own(kapi('reg_query.json'));
    const expected = kapi('reg_query_resp.json');
    const reply = await peer.ask('registrar', registration.query.routingKey(query as never), query);
    assert.ok(reply);
    assert.equal(reply['Event-Name'], 'reg_query_resp');
    assert.equal(reply['Msg-ID'], expected['Msg-ID']);
    assert.deepEqual(reply.Fields, expected.Fields);
    assert.equal(typeof reply['Registrar-Age'], 'number');
    const stored = await couch.store.db('registrations').view('registrations', 'by_aor', { key: '1001@sip.example.com' });
    assert.equal(stored.rows.length, 1, 'one document per contact');
  });

  test('kamailio-wire reg_success registered → reg_query (Contact) → reg_query_resp; unregistered → reg_query_error', async () => {
    const registered = wire('reg_success-registered.json');
    peer.publish(registered.exchange, registered.routingKey, registered.body);
    const q = wire('reg_query.json');
    let reply: Body | undefined;
    await eventually(async () => {
      reply = await peer.ask(q.exchange, q.routingKey, own({ ...q.body, 'Msg-ID': nanoid() }));
      return reply?.['Event-Name'] === 'reg_query_resp';
    }, 2000, 'registration visible');
    const expectedContact = (wire('reg_query_resp.json').body.Fields as Body[])[0]!.Contact as string;
    const fields = reply!.Fields as Body[];
    assert.equal(fields.length, 1);
    assert.deepEqual(Object.keys(fields[0]!), ['Contact']);
    assert.equal(parseContact(fields[0]!.Contact as string).uri, parseContact(expectedContact).uri);

    const unregistered = wire('reg_success-unregistered.json');
    peer.publish(unregistered.exchange, unregistered.routingKey, unregistered.body);
    await eventually(async () => {
      reply = await peer.ask(q.exchange, q.routingKey, own({ ...q.body, 'Msg-ID': nanoid() }));
      return reply?.['Event-Name'] === 'reg_query_error';
    }, 2000, 'Status Unregistered removes the binding');
    assert.equal(reply!['Event-Category'], wire('reg_query_error.json').body['Event-Category']);
    assert.equal(reply!['Event-Name'], wire('reg_query_error.json').body['Event-Name']);
    await eventually(async () => {
      const rows = await couch.store.db('registrations').view('registrations', 'by_aor', { key: '1000@127.0.0.1' });
      return rows.rows.length === 0;
    }, 3000, 'document deleted');
  });

  test('the account db of the fixtures exists (provisioned through the store helpers)', async () => {
    const info = await couch.store.server.db.get(accountDbName(accountId));
    assert.ok(info.doc_count >= 1);
  });
});
