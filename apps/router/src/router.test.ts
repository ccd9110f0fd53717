import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import pino from 'pino';
import { build, dialplan, dryRunReq, dryRunResp, isFifeError, registration, route, routeReqKey, validate } from '@fife/api';
import { Bus, handler } from '@fife/bus';
import { ACCOUNTS_DB, openStore, type Store } from '@fife/store';
import { fixturePath, sharedSkip, testVhost } from '@fife/testkit';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import type { RouterConfigShape } from './config.js';
import { emptyPeerWorld, startPeers, type PeerWorld } from './testing/peers.js';
import { Provision } from './testing/provision.js';
import { routerWhapp } from './whapp.js';

const REALM = 'acme.example.com';
const OTHER_REALM = 'other.example.com';
const DEADLINE_MS = 1000;

let dir: string;
let store: Store;
let app: RunningWhapp<RouterConfigShape>;
let client: Bus;
let acme: Provision;
let other: Provision;
let callerDevice: string;
let amqpUrl: string;
let clock = new Date('2026-11-23T07:30:00Z');
const world: PeerWorld = emptyPeerWorld();
const ids: Record<string, string> = {};

function register(user: string, realm = REALM, host = '10.0.0.20:5060', proxyPath?: string): void {
  const key = `${user}@${realm}`;
  const list = world.contacts.get(key) ?? [];
  list.push({ contact: `<sip:${user}@${host};transport=udp>`, ...(proxyPath ? { proxyPath } : {}) });
  world.contacts.set(key, list);
}

function routeReq(to: string, accountId = acme.accountId, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'Call-ID': `call-${Math.random().toString(16).slice(2)}`,
    'Resource-Type': 'audio',
    From: `1000@${REALM}`,
    To: `${to}@${REALM}`,
    Request: `${to}@${REALM}`,
    'Caller-ID-Name': 'Front Desk',
    'Caller-ID-Number': '1000',
    'Custom-Channel-Vars': { 'Account-ID': accountId, 'Authorizing-ID': callerDevice, 'Authorizing-Type': 'device' },
    ...extra,
  };
}

async function ask(to: string, accountId?: string, extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const started = Date.now();
  const reply = await client.request(route.req, routeReq(to, accountId, extra) as never, { timeoutMs: 2000, replies: [route.resp] });
  assert.ok(Date.now() - started < DEADLINE_MS + 200, `answered within the deadline (${Date.now() - started} ms)`);
  return reply as Record<string, any>;
}

/** What ecallmgr publishes when a phone registers (kazoo-wire §3.1). */
function regSuccess(user: string, contact: string): Promise<void> {
  return client.publish(registration.success, build(registration.success, { Username: user, Realm: REALM, Contact: contact, Expires: 3600, 'Event-Timestamp': 63_900_000_000 }, client.identity));
}

/** The changes feed reaches the router a moment after a write: ask again until it answers (bounded). */
async function retryUntilAnswered<T>(ask: () => Promise<T>, deadlineMs = 3000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await ask();
    } catch (err) {
      if (!isFifeError(err, 'bus.timeout') || Date.now() > deadline) throw err;
    }
  }
}

function legsOf(reply: Record<string, any>): Array<Record<string, any>> {
  assert.equal(reply.Method, 'bridge', JSON.stringify(reply));
  return reply.Routes;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fife-router-'));
  store = await openStore({ dataDir: join(dir, 'couch') });
  amqpUrl = await testVhost('router');
  app = await startWhapp(routerWhapp({ now: () => clock }), {
    AMQP_URL: amqpUrl,
    COUCH_URL: store.url,
    LOG_LEVEL: 'silent',
    ROUTER_QUEUE: `fife.router.test-${process.pid}`,
    ROUTER_DEADLINE_MS: String(DEADLINE_MS),
    ROUTER_REG_TIMEOUT_MS: '200',
    ROUTER_CALENDAR_TIMEOUT_MS: '200',
    ROUTER_CALLGROUP_TIMEOUT_MS: '300',
    ROUTER_CHANNELS_TIMEOUT_MS: '100',
  });
  client = new Bus({ url: amqpUrl, identity: { appName: 'ecallmgr', appVersion: '1.0.0', node: 'ecallmgr@test' }, logger: pino({ level: 'silent' }) });
  await client.start();
  await startPeers(client, world, 'main');
  world.realms.add(REALM);
  world.realms.add(OTHER_REALM);

  acme = new Provision(store, await store.createAccount({ name: 'Acme', realm: REALM, numbering: { country_code: '32' }, caller_id: { external: { name: 'Acme', number: '+3225550000' } } } as never));
  other = new Provision(store, await store.createAccount({ name: 'Other', realm: OTHER_REALM }));
  callerDevice = await acme.device('1000', { dialout_allowed: true, caller_id: { internal: { name: 'Front Desk', number: '1000' } } });
  register('1000');

  ids.desk = await acme.device('2000');
  register('2000', REALM, '10.0.0.21:5060', 'sip:10.0.0.5:5060');
  await acme.callflow(['2000'], { module: 'device', data: { id: ids.desk } });

  ids.bob = await acme.user({ first_name: 'Bob' });
  await acme.device('2101', { owner_id: ids.bob });
  await acme.device('2102', { owner_id: ids.bob });
  register('2101', REALM, '10.0.0.31:5060');
  register('2102', REALM, '10.0.0.32:5060');
  await acme.callflow(['2100'], { module: 'user', data: { id: ids.bob } });

  ids.carol = await acme.user({ first_name: 'Carol', call_forward: { no_answer: { number: '2000', after_s: 10 } } });
  await acme.device('2201', { owner_id: ids.carol });
  register('2201', REALM, '10.0.0.41:5060');
  await acme.callflow(['2200'], { module: 'user', data: { id: ids.carol } });

  ids.offline = await acme.device('2301');
  await acme.callflow(['2300'], { module: 'device', data: { id: ids.offline }, children: { _: { module: 'transfer', data: { number: '2000' } } } });

  ids.pattern = await acme.device('2400');
  register('2400', REALM, '10.0.0.44:5060');
  await acme.callflow([], { module: 'device', data: { id: ids.pattern } }, ['^24\\d\\d$']);
  await acme.callflow([], { module: 'hangup', data: { cause: 'CALL_REJECTED' } }, ['^2\\d{3}$']);

  await acme.callflow(['5000'], {
    module: 'calendar',
    data: { calendar_id: 'support', name: 'Support' },
    children: { open: { module: 'device', data: { id: ids.desk } }, closed: { module: 'hangup', data: { cause: 'NO_ANSWER' } } },
  });
  world.calendarStatus = (id, at) =>
    id !== 'support'
      ? 'silent'
      : at.getUTCHours() >= 8 && at.getUTCHours() < 17
        ? { Status: 'open', Until: '2026-11-23T17:00:00Z' }
        : { Status: 'closed', Until: '2026-11-23T08:00:00Z', Reason: 'Support closed until 08:00' };

  await acme.callflow(['6000'], { module: 'callgroup', data: {} });
  world.callgroupPlan = (number) =>
    number === '6000'
      ? {
          Status: 'ringing',
          'Ring-Plan': [
            { extension: '2101', device: '2101', kind: 'device', start_after_s: 0, stop_after_s: 10, via_path: ['6000', '2101'] },
            { extension: '2102', device: '2102', kind: 'device', start_after_s: 10, stop_after_s: null, via_path: ['6000', '2102'] },
          ],
          Skipped: [],
          'Caller-ID': { number: '1000', name: 'Front Desk', lang: null, dialout_allowed: true },
          Rendering: {
            kind: 'bridge',
            dial_string: '{ignore_early_media=true}[leg_timeout=10]sofia/internal/sip:2101@10.0.0.31:5060,[leg_delay_start=10]sofia/internal/sip:2102@10.0.0.32:5060',
          },
        }
      : 'silent';

  await acme.resource({ name: 'primary', weight: 10, rules: ['^\\+32\\d{8,9}$'], gateways: [{ server: 'gw1.carrier.example', format: 'national' }, { server: 'gw2.carrier.example', username: 'acme', password: 'pw' }] });
  await acme.resource({ name: 'fallback', weight: 50, rules: ['^\\+\\d+$'], gateways: [{ server: 'gw.backup.example' }] });
  await acme.callflow([], { module: 'offnet', data: {} }, ['^(\\+|00|0)\\d{8,}$']);

  await acme.callflow(['7000'], { module: 'transfer', data: { number: '7001' } });
  await acme.callflow(['7001'], { module: 'transfer', data: { number: '7000' } });

  await acme.callflow(['8000'], { module: 'play', data: { media: 'closed.wav' }, children: { _: { module: 'hangup', data: { cause: 'NORMAL_CLEARING' } } } });

  ids.otherDevice = await other.device('9000');
  register('9000', OTHER_REALM, '10.1.0.1:5060');
  await other.callflow(['9000'], { module: 'device', data: { id: ids.otherDevice } });
  // The embedded CouchDB builds view indexes on first use; a real deployment pays that once, not per test.
  for (const account of [acme, other]) {
    await client.request(dryRunReq, { 'Account-ID': account.accountId, From: `1000@${REALM}`, To: '2000' }, { timeoutMs: 5000, replies: [dryRunResp] });
  }
});

after(async () => {
  await client?.drain(2000).catch(() => undefined);
  await app?.stop();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('router whapp over RabbitMQ and CouchDB', () => {
  test('device: bridge to its registered contact, through the proxy it registered with', async () => {
    const [leg, ...rest] = legsOf(await ask('2000'));
    assert.equal(rest.length, 0);
    assert.equal(leg!['Invite-Format'], 'route');
    assert.equal(leg!.Route, 'sip:2000@10.0.0.21:5060;transport=udp;fs_path=<sip:10.0.0.5:5060>');
    assert.equal(leg!['To-User'], '2000');
    assert.equal(leg!['Caller-ID-Name'], 'Front Desk');
    assert.equal(leg!['Custom-Channel-Vars']['Authorizing-ID'], ids.desk);
  });

  test('user with two devices: both ring in the same step', async () => {
    const legs = legsOf(await ask('2100'));
    assert.deepEqual(legs.map((l) => l['To-User']).sort(), ['2101', '2102']);
    assert.deepEqual(legs.map((l) => l['Fife-Step']), [0, 0]);
  });

  test('forward after 10 s: own devices get leg_timeout 10, the target leg_delay_start 10', async () => {
    const legs = legsOf(await ask('2200'));
    const own = legs.find((l) => l['To-User'] === '2201')!;
    const target = legs.find((l) => l['To-User'] === '2000')!;
    assert.equal(own['Custom-Channel-Vars']['Endpoint-Timeout'], '10');
    assert.equal(own['Custom-Channel-Vars']['Endpoint-Delay'], undefined);
    assert.equal(target['Custom-Channel-Vars']['Endpoint-Delay'], '10');
    assert.equal(target['Fife-Step'], own['Fife-Step']);
  });

  test('unregistered device: the unavailable branch (transfer to 2000) is taken', async () => {
    const legs = legsOf(await ask('2300'));
    assert.deepEqual(legs.map((l) => l['To-User']), ['2000']);
  });

  test('patterns: the more specific one wins, exact numbers still first', async () => {
    assert.deepEqual(legsOf(await ask('2499')).map((l) => l['To-User']), ['2400']);
    const rejected = await ask('2999');
    assert.equal(rejected.Method, 'error');
    assert.equal(rejected['Route-Error-Code'], '603');
  });

  test('calendar closed at 07:30 and open at 09:00 (controlled clock)', async () => {
    clock = new Date('2026-11-23T07:30:00Z');
    const closed = await ask('5000');
    assert.equal(closed.Method, 'error');
    assert.equal(closed['Route-Error-Code'], '480');
    clock = new Date('2026-11-23T09:00:00Z');
    assert.deepEqual(legsOf(await ask('5000')).map((l) => l['To-User']), ['2000']);
  });

  test('callgroup: the callgroup whapp plan is bridged as its dial string', async () => {
    const [leg] = legsOf(await ask('6000'));
    assert.equal(leg!['Invite-Format'], 'route');
    assert.match(leg!.Route, /^\{ignore_early_media=true\}\[leg_timeout=10\]sofia\/internal\/sip:2101@/);
  });

  test('offnet: E.164, national and no-plus forms reach the same carriers, with failover and the external caller-id', async () => {
    for (const dialed of ['+3225551234', '025551234', '003225551234']) {
      const legs = legsOf(await ask(dialed));
      assert.deepEqual(
        legs.map((l) => [l.Route, l['Fife-Step']]),
        [['sip:025551234@gw1.carrier.example', 0], ['sip:+3225551234@gw2.carrier.example', 1], ['sip:+3225551234@gw.backup.example', 2]],
        dialed,
      );
      assert.equal(legs[1]!['Auth-User'], 'acme');
      assert.equal(legs[0]!['Caller-ID-Number'], '+3225550000');
    }
  });

  test('loop: a transfer cycle ends with 483, not a hang', async () => {
    const reply = await ask('7000');
    assert.equal(reply.Method, 'error');
    assert.equal(reply['Route-Error-Code'], '483');
  });

  test("another account's number is not reachable from this one (silence), but is from its own", async () => {
    await assert.rejects(
      client.request(route.req, routeReq('9000') as never, { timeoutMs: DEADLINE_MS + 300, replies: [route.resp] }),
      (err) => isFifeError(err, 'bus.timeout'),
    );
    const own = await ask('9000', other.accountId, { From: `9001@${OTHER_REALM}`, 'Custom-Channel-Vars': { 'Account-ID': other.accountId } });
    assert.deepEqual(legsOf(own).map((l) => l['To-User']), ['9000']);
  });

  test('a call from outside (no Account-ID, no-account key) is routed by the realm it was sent to', async () => {
    const fields = { 'Call-ID': 'outside-1', From: '+32470000000@carrier.example.net', To: `2000@${REALM}`, Request: `2000@${REALM}`, 'Caller-ID-Number': '+32470000000' };
    const reply = (await client.request(route.req, fields as never, { timeoutMs: 2000, replies: [route.resp] })) as Record<string, any>;
    assert.deepEqual(legsOf(reply).map((l) => l['To-User']), ['2000']);
    const offnet = (await client.request(route.req, { ...fields, 'Call-ID': 'outside-2', To: `+3225551234@${REALM}`, Request: `+3225551234@${REALM}` } as never, { timeoutMs: 2000, replies: [route.resp] })) as Record<string, any>;
    assert.equal(offnet['Route-Error-Code'], '403', 'an outside caller may not dial out through the account');
    await assert.rejects(
      client.request(route.req, { ...fields, 'Call-ID': 'outside-3', Request: '2000@nobody.example.org' } as never, { timeoutMs: DEADLINE_MS, replies: [route.resp] }),
      (err) => isFifeError(err, 'bus.timeout'),
    );
  });

  test('a carrier call (no Account-ID, realm of no account) finds the account owning the dialed DID, in any form', async () => {
    await acme.callflow(['025559999'], { module: 'device', data: { id: ids.desk } });
    await other.callflow(['+3225558888'], { module: 'device', data: { id: ids.otherDevice } });
    const carrier = (n: string, callId: string) => ({ 'Call-ID': callId, From: '+32470000000@198.51.100.7', To: `${n}@203.0.113.5`, Request: `${n}@203.0.113.5`, 'Caller-ID-Number': '+32470000000' });
    let i = 0;
    for (const dialed of ['+3225559999', '3225559999', '003225559999']) {
      const reply = (await client.request(route.req, carrier(dialed, `did-${i++}`) as never, { timeoutMs: 2000, replies: [route.resp] })) as Record<string, any>;
      assert.deepEqual(legsOf(reply).map((l) => l['To-User']), ['2000'], dialed);
      assert.equal(reply['Custom-Channel-Vars']['Account-ID'], acme.accountId);
    }
    const toOther = (await client.request(route.req, carrier('+3225558888', 'did-other') as never, { timeoutMs: 2000, replies: [route.resp] })) as Record<string, any>;
    assert.deepEqual(legsOf(toOther).map((l) => l['To-User']), ['9000'], 'an account without numbering plan owns the numbers it lists in E.164');
    assert.equal(toOther['Custom-Channel-Vars']['Account-ID'], other.accountId);

    // Extensions are not DIDs; a number nobody lists gets no answer.
    for (const [dialed, why] of [['2000', 'an extension'], ['+3225550001', 'an unknown DID']] as const) {
      await assert.rejects(client.request(route.req, carrier(dialed, `did-none-${dialed}`) as never, { timeoutMs: DEADLINE_MS, replies: [route.resp] }), (err) => isFifeError(err, 'bus.timeout'), why);
    }

    // A DID added later is found once the changes feed reports it; one claimed twice belongs to nobody.
    await acme.callflow(['+3225557777'], { module: 'device', data: { id: ids.desk } });
    const added = await retryUntilAnswered(() => client.request(route.req, carrier('+3225557777', `did-new-${Math.random()}`) as never, { timeoutMs: 500, replies: [route.resp] }));
    assert.deepEqual(legsOf(added as Record<string, any>).map((l) => l['To-User']), ['2000']);
    await other.callflow(['+3225557777'], { module: 'device', data: { id: ids.otherDevice } });
    // Once the other account's changes feed reported the write, the number has two owners: silence.
    const silentBy = Date.now() + 4000;
    let answered = 0;
    for (;;) {
      const reply = await client.request(route.req, carrier('+3225557777', `did-twice-${answered}`) as never, { timeoutMs: DEADLINE_MS, replies: [route.resp] }).catch((err) => err);
      if (isFifeError(reply, 'bus.timeout')) break;
      assert.ok(Date.now() < silentBy, `still answered ${++answered} times after the second claim`);
    }

    // Disabling an account (a change in `accounts`, not in its own database) withdraws its numbers: the
    // number it shared is acme's alone again, and the one only it listed reaches nobody.
    await store.upsert(ACCOUNTS_DB, other.accountId, (doc) => ({ ...doc!, enabled: false }));
    const againAcme = await retryUntilAnswered(() => client.request(route.req, carrier('+3225557777', `did-back-${Math.random()}`) as never, { timeoutMs: 500, replies: [route.resp] }));
    assert.equal((againAcme as Record<string, any>)['Custom-Channel-Vars']['Account-ID'], acme.accountId);
    await assert.rejects(
      client.request(route.req, carrier('+3225558888', 'did-disabled') as never, { timeoutMs: DEADLINE_MS, replies: [route.resp] }),
      (err) => isFifeError(err, 'bus.timeout'),
      'a disabled account owns no number',
    );
  });

  test('reg_query answers are reused until a reg_success for that user says they changed', async () => {
    await ask('2000');
    const before = world.regQueries;
    assert.equal(legsOf(await ask('2000'))[0]!.Route, 'sip:2000@10.0.0.21:5060;transport=udp;fs_path=<sip:10.0.0.5:5060>');
    assert.equal(world.regQueries, before, 'the second call asked no registrar');
    // The phone moves: the registrar knows the new contact, and ecallmgr publishes reg_success.
    world.contacts.set(`2000@${REALM}`, [{ contact: '<sip:2000@10.0.0.99:5060>' }]);
    await regSuccess('2000', '<sip:2000@10.0.0.99:5060>');
    const deadline = Date.now() + 2000;
    let route = '';
    // The first ask after the event may still be inside the quiet period: asked again, never cached.
    while (Date.now() < deadline && !route.includes('10.0.0.99')) route = legsOf(await ask('2000'))[0]!.Route;
    assert.equal(route, 'sip:2000@10.0.0.99:5060');
    world.contacts.set(`2000@${REALM}`, [{ contact: '<sip:2000@10.0.0.21:5060;transport=udp>', proxyPath: 'sip:10.0.0.5:5060' }]);
    await regSuccess('2000', '<sip:2000@10.0.0.21:5060;transport=udp>');
    const back = Date.now() + 2000;
    while (Date.now() < back && !route.includes('10.0.0.21')) route = legsOf(await ask('2000'))[0]!.Route;
    assert.match(route, /10\.0\.0\.21/);
  });

  test('a calendar answer is reused inside its window (until its Until), and asked again outside it', async () => {
    // A late change event from an earlier test's write drops the entry (any account change does): try again.
    let reused = false;
    let asked = 0;
    for (let attempt = 0; attempt < 3 && !reused; attempt++) {
      clock = new Date('2026-11-23T07:10:00Z');
      assert.equal((await ask('5000'))['Route-Error-Code'], '480');
      asked = world.calendarQueries;
      clock = new Date('2026-11-23T07:50:00Z');
      assert.equal((await ask('5000'))['Route-Error-Code'], '480');
      reused = world.calendarQueries === asked;
    }
    assert.ok(reused, 'closed until 08:00: 07:50 is inside the window, no second question');
    clock = new Date('2026-11-23T08:00:00Z');
    assert.deepEqual(legsOf(await ask('5000')).map((l) => l['To-User']), ['2000']);
    assert.equal(world.calendarQueries, asked + 1, 'at 08:00 the window is over');
    clock = new Date('2026-11-23T07:30:00Z');
  });

  test('play: park, then route_win gets the plan onto the call control queue', async () => {
    const controlQueue = `test-control-${process.pid}`;
    const commands: Record<string, any>[] = [];
    await client.consume({ queue: controlQueue, exclusive: true, bindings: [{ exchange: 'callctl', key: controlQueue }], handlers: [handler(dialplan.command, (msg) => void commands.push(msg))] });
    const req = routeReq('8000');
    const reply = (await client.request(route.req, req as never, { timeoutMs: 2000, replies: [route.resp] })) as Record<string, any>;
    assert.equal(reply.Method, 'park');
    assert.ok(typeof reply['Server-ID'] === 'string' && reply['Server-ID'].endsWith('.route_win'));
    await client.publishRaw('targeted', reply['Server-ID'], {
      'Event-Category': 'dialplan', 'Event-Name': 'route_win', 'App-Name': 'ecallmgr', 'App-Version': '1.0.0',
      'Msg-ID': req['Call-ID'], 'Call-ID': req['Call-ID'], 'Control-Queue': controlQueue, 'Server-ID': controlQueue,
    });
    const deadline = Date.now() + 2000;
    while (commands.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(commands.length, 1);
    assert.equal(commands[0]!['Application-Name'], 'queue');
    assert.deepEqual(commands[0]!.Commands.map((c: Record<string, unknown>) => c['Application-Name']), ['answer', 'play', 'hangup']);
    assert.equal(commands[0]!.Commands[1]['Media-Name'], 'closed.wav');
  });

  test('a silent peer costs its own timeout, and route_resp still comes within the deadline', async () => {
    const id = await acme.callflow(['5100'], { module: 'calendar', data: { calendar_id: 'nobody-answers', on_error: 'closed' }, children: { closed: { module: 'hangup', data: { cause: 'USER_BUSY' } } } });
    assert.ok(id);
    const reply = await ask('5100');
    assert.equal(reply['Route-Error-Code'], '486');
  });

  test('a document the call depends on that is invalid: 503, and the dry run names the field', async () => {
    const broken = await acme.user({ first_name: 'Broken', call_forward: { busy: { number: 42 } } });
    await acme.callflow(['2600'], { module: 'user', data: { id: broken } });
    const reply = await ask('2600');
    assert.equal(reply['Route-Error-Code'], '503');
    const dry = (await client.request(dryRunReq, { 'Account-ID': acme.accountId, To: '2600' }, { timeoutMs: 2000, replies: [dryRunResp] })) as Record<string, any>;
    assert.ok(dry.Reasons.some((r: string) => r.includes(`user ${broken} is invalid: call_forward.busy.number`)), dry.Reasons.join('\n'));
  });

  test('outcomes are counted on /metrics, silence included', async () => {
    const metrics = await (await fetch(`${app.httpUrl}/metrics`)).text();
    for (const outcome of ['bridge', 'error', 'park', 'silent']) {
      assert.match(metrics, new RegExp(`fife_router_route_outcomes_total\\{[^}]*outcome="${outcome}"[^}]*\\} [1-9]`), outcome);
    }
  });

  test('dry run: the plan and the reason for each branch', async () => {
    const reply = (await client.request(dryRunReq, { 'Account-ID': acme.accountId, From: `1000@${REALM}`, To: '5000', At: '2026-11-23T07:30:00Z' }, { timeoutMs: 2000, replies: [dryRunResp] })) as Record<string, any>;
    assert.equal(reply.Result, 'error');
    assert.ok(reply.Reasons.some((r: string) => r.includes('calendar Support closed until 2026-11-23T08:00:00Z (Support closed until 08:00)')), reply.Reasons.join('\n'));
    assert.equal(reply['Route-Resp']['Route-Error-Code'], '480');
    const none = (await client.request(dryRunReq, { 'Account-ID': acme.accountId, To: '9000' }, { timeoutMs: 2000, replies: [dryRunResp] })) as Record<string, any>;
    assert.equal(none.Result, 'no_route');
    assert.ok(none.Reasons.some((r: string) => r.startsWith('no callflow for 9000')));
  });
});

test('fife route (bin/route.ts): a dry run from the command line, account found by the caller realm', async () => {
  const bin = fileURLToPath(new URL('./bin/route.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', bin, '--from', `1000@${REALM}`, '--to', '2200', '--at', '2026-11-23T07:30:00Z'], {
    env: { ...process.env, AMQP_URL: amqpUrl },
    timeout: 20_000,
  });
  assert.match(stdout, /^2200 from 1000@acme\.example\.com at 2026-11-23T07:30:00\.000Z: bridge$/m);
  assert.match(stdout, /step 1: sip:2201@10\.0\.0\.41:5060;transport=udp \(for 10 s\) \+ .*sip:2000@10\.0\.0\.21:5060.* \(from 10 s\)/);
  assert.match(stdout, /Carol forwards after 10 s to 2000/);
});

describe('kapi fixture', { skip: sharedSkip }, () => {
  test('the Kazoo route_req fixture is answered with a valid route_resp on its Server-ID', async () => {
    const fixture = JSON.parse(await readFile(fixturePath('kapi/route_req.json'), 'utf8')) as Record<string, any>;
    const account = new Provision(store, await store.createAccount({ _id: fixture['Custom-Channel-Vars']['Account-ID'], name: 'Example Corp', realm: 'sip.example.com' }));
    await account.device('1001');
    const target = await account.device('1002');
    await account.callflow(['1002'], { module: 'device', data: { id: target } });
    register('1002', 'sip.example.com', '192.168.1.22:5060');
    world.realms.add('sip.example.com');

    const replies: Record<string, unknown>[] = [];
    const replyQueue = String(fixture['Server-ID']);
    await client.consume({ queue: replyQueue, exclusive: true, bindings: [{ exchange: 'targeted', key: replyQueue }], handlers: [handler(route.resp, (msg) => void replies.push(msg))] });
    await client.publishRaw('callmgr', routeReqKey(fixture as never), fixture);
    const deadline = Date.now() + 2000;
    while (replies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(replies.length, 1);
    const reply = replies[0]!;
    assert.ok(validate(route.resp, reply).ok);
    assert.equal(reply['Msg-ID'], fixture['Msg-ID']);
    assert.equal(reply.Method, 'bridge');
    assert.equal((reply.Routes as any[])[0].Route, 'sip:1002@192.168.1.22:5060;transport=udp');
  });
});
