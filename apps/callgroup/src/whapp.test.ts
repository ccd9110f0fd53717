import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { call, callgroup, genericError, isFifeError, registration } from '@fife/api';
import { Bus, DEAD_LETTER_QUEUE, handler } from '@fife/bus';
import { ACCOUNTS_DB, accountDbName, openStore, type Store } from '@fife/store';
import { sharedSkip, testVhost } from '@fife/testkit';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import amqp from 'amqplib';
import type { CallgroupConfigShape } from './config.js';
import { putExtension, type ExtensionDocInput } from './documents/extension-doc.js';
import type { RingPlan } from './domain/index.js';
import { planFromReply } from './service/wire.js';
import { assertMatchesExpected, dialplanOf, lastPlanSecond, readScenario, ringLogMismatches, simPhoneOf, simulateCall } from './testing/index.js';
import { callgroupWhapp } from './whapp.js';

const QUEUE = `fife.callgroup.plan.test-${process.pid}`;
const CONTACT_HOST = '127.0.0.1:5060';

/** Scenarios without runtime events (a live plan has none), with registrations, busy users and call waiting. */
const SAMPLE = [
  'worked-example.json',
  'hunting-group-then-forward.json',
  'simple-two-registrations.json',
  'group-busy-rank-is-skipped.json',
  'forward-on-unavailable-offline.json',
  'simple-busy-without-call-waiting.json',
  'member-in-two-groups-rings-once.json',
  'trunk-prefix.json',
];

interface Stage2World {
  registrations: Record<string, string[]>;
  busy: Record<string, number>;
}

let amqpUrl: string;
let dir: string;
let store: Store;
let app: RunningWhapp<CallgroupConfigShape>;
let client: Bus;
/** What the stand-in registrar and ecallmgr report, per realm (tests change it). */
const world = new Map<string, Stage2World>();

async function newAccount(realm: string, state: Stage2World = { registrations: {}, busy: {} }): Promise<string> {
  world.set(realm, state);
  return store.createAccount({ name: realm, realm });
}

function ask(fields: Record<string, unknown>, timeoutMs = 3000): Promise<Record<string, unknown>> {
  return client.request(callgroup.planReq, fields as never, { timeoutMs, replies: [callgroup.planResp, genericError] });
}

/** Device ids come from contacts (`1001-desk@127.0.0.1_5060`); the scenario names them `1001-desk`. */
function scenarioDevices(reply: Record<string, unknown>): RingPlan {
  const plan = planFromReply(reply);
  const suffix = `@${CONTACT_HOST.replace(':', '_')}`;
  return { ...plan, ring_plan: plan.ring_plan.map((l) => ({ ...l, device: l.device?.endsWith(suffix) ? l.device.slice(0, -suffix.length) : l.device })) };
}

/** Registrar and ecallmgr stand-ins: real consumers on the bus answering from `world`. */
async function startPeers(bus: Bus): Promise<void> {
  await bus.consume({
    queue: `test-registrar-${process.pid}`,
    exclusive: true,
    handlers: [
      handler(registration.query, async (msg, ctx) => {
        const state = world.get(msg.Realm ?? '');
        if (!state) return; // not a realm of this test: stay silent like a registrar that has nothing
        const user = msg.Username ?? '';
        const devices = state.registrations[user] ?? [user];
        if (devices.length === 0) return ctx.reply(registration.queryError, {});
        await ctx.reply(registration.queryResp, {
          Fields: devices.map((d) => ({ Contact: `<sip:${d}@${CONTACT_HOST};transport=udp>`, Username: user })),
        });
      }),
    ],
  });
  await bus.consume({
    queue: `test-ecallmgr-${process.pid}`,
    exclusive: true,
    handlers: [
      handler(call.userChannelsReq, async (msg, ctx) => {
        const state = world.get(msg.Realm ?? '');
        const channels = (msg.Usernames ?? []).flatMap((user) =>
          Array.from({ length: state?.busy[user] ?? 0 }, (_, i) => ({ 'Call-ID': `call-${user}-${i}`, Username: user, Realm: msg.Realm })),
        );
        if (channels.length > 0) await ctx.reply(call.userChannelsResp, { Channels: channels });
      }),
    ],
  });
}

async function provision(accountId: string, extensions: ExtensionDocInput[]): Promise<void> {
  for (const ext of extensions) await putExtension(store, accountId, ext);
}

before(async () => {
  amqpUrl = await testVhost('callgroup-whapp');
  dir = await mkdtemp(join(tmpdir(), 'fife-callgroup-'));
  store = await openStore({ dataDir: join(dir, 'couch') });
  app = await startWhapp(callgroupWhapp, {
    AMQP_URL: amqpUrl,
    COUCH_URL: store.url,
    FIFE_DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    CALLGROUP_QUEUE: QUEUE,
    // generous windows: the stand-ins answer in milliseconds, but the test machine may be loaded
    CALLGROUP_CHANNELS_TIMEOUT_MS: '250',
    CALLGROUP_REG_TIMEOUT_MS: '500',
  });
  client = new Bus({ url: amqpUrl, identity: { appName: 'callgroup-test', appVersion: '0', node: 'test@local' }, logger: pino({ level: 'silent' }) });
  await client.start();
  await startPeers(client);
});

after(async () => {
  await client?.close();
  await app?.stop();
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('callgroup whapp over a real broker and CouchDB', () => {
  test('provisioned public scenarios are planned over the bus as the scenario expects', { skip: sharedSkip }, async () => {
    for (const [i, file] of SAMPLE.entries()) {
      const scenario = readScenario(file) as ReturnType<typeof readScenario> & {
        caller: string;
        called: string;
        extensions: ExtensionDocInput[];
        stage2?: { registrations?: Record<string, string[]>; busy?: Record<string, number>; call_waiting?: Record<string, boolean> };
      };
      const realm = `s${i}.callgroup.test`;
      const accountId = await newAccount(realm, { registrations: scenario.stage2?.registrations ?? {}, busy: scenario.stage2?.busy ?? {} });
      const waiting = scenario.stage2?.call_waiting ?? {};
      await provision(
        accountId,
        scenario.extensions.map((e) => (waiting[e.ext] === false ? { ...e, call_waiting: false } : e)),
      );
      const request = { 'Account-ID': accountId, 'Called-Number': scenario.called, 'Caller-ID-Number': scenario.caller };
      // warm-up without lookups: the first request of an account builds its view index in this very
      // process (embedded CouchDB), which must not stall the event loop while the lookup windows run
      await ask({ ...request, 'Stage2-Timeout-Ms': 0 });
      const reply = await ask(request);
      assert.equal(reply['Event-Name'], 'plan_resp', `${file}: ${String(reply['Error-Message'])}`);
      assertMatchesExpected(scenarioDevices(reply) as unknown as Record<string, unknown>, scenario.expected, `${file} (stage 2 used: ${JSON.stringify(reply.Stage2)}): `);
    }
  });

  test("the service's dial string, run by the FreeSWITCH simulator, rings its own plan within +1 s", { skip: sharedSkip }, async () => {
    for (const file of ['worked-example.json', 'simple-two-registrations.json']) {
      const scenario = readScenario(file) as ReturnType<typeof readScenario> & { caller: string; called: string; extensions: ExtensionDocInput[]; stage2?: { registrations?: Record<string, string[]> } };
      const accountId = await newAccount(`sim-${file.replace('.json', '')}.callgroup.test`, { registrations: scenario.stage2?.registrations ?? {}, busy: {} });
      await provision(accountId, scenario.extensions);
      const reply = await ask({ 'Account-ID': accountId, 'Called-Number': scenario.called, 'Caller-ID-Number': scenario.caller });
      const rendering = reply.Rendering as { kind: string; dial_string: string };
      assert.match(rendering.dial_string, /sofia\/internal\/sip:/, 'device legs dial the registered contacts');
      const plan = scenarioDevices(reply);
      const horizon = lastPlanSecond(plan) + 5;
      const log = await simulateCall(scenario.caller, scenario.called, dialplanOf(rendering), plan.ring_plan.map(simPhoneOf), horizon);
      assert.ok(log, `${file}: the call has a ring log`);
      assert.deepEqual(ringLogMismatches(plan, log.attempts, horizon), [], `${file}: ${JSON.stringify(log.attempts)}`);
    }
  });

  test('the reply carries the FreeSWITCH rendering with registered contacts and, with Explain, the tree', async () => {
    const accountId = await newAccount('render.callgroup.test', { registrations: { '1002': [] }, busy: {} });
    await provision(accountId, [
      { ext: '1001', name: 'Anna' },
      { ext: '1002' },
      { ext: '2000', type: 'GROUP', name: 'Helpdesk', ranks: [{ members: [{ ext: '1001' }, { ext: '1002' }] }] },
    ]);
    const reply = await ask({ 'Account-ID': accountId, 'Called-Number': '2000', 'Caller-ID-Number': '555', 'Call-ID': 'abc-1', Explain: true });
    assert.equal(reply.Status, 'ringing');
    const rendering = reply.Rendering as { kind: string; dial_string: string };
    assert.equal(rendering.kind, 'bridge');
    assert.match(rendering.dial_string, /sofia\/internal\/sip:1001@127\.0\.0\.1:5060;transport=udp/);
    assert.match(rendering.dial_string, /sip_h_X-Eventphone-Id=abc-1/);
    assert.deepEqual(reply.Skipped, [{ extension: '1002', via_path: ['2000', '1002'], at_s: 0, reason: 'offline' }]);
    const tree = reply.Tree as { path: string[]; log: { code: string; message: string }[] }[];
    const node1002 = tree.find((n) => n.path.join('/') === '2000/1002');
    assert.ok(node1002?.log.some((e) => e.code === 'stage2.registrations' && /not registered/.test(e.message)), JSON.stringify(node1002));
    // no ecallmgr answered for this realm: the tree says what was assumed
    assert.ok(node1002?.log.some((e) => e.code === 'stage2.busy_assumed'), JSON.stringify(node1002));
    assert.equal((await ask({ 'Account-ID': accountId, 'Called-Number': '2000', 'Caller-ID-Number': '555' })).Tree, undefined);
  });

  test('a silent registrar is explicit: users are assumed registered and rung through user/', async () => {
    const accountId = await store.createAccount({ name: 'silent', realm: 'silent.callgroup.test' }); // no stand-in answers this realm
    await provision(accountId, [{ ext: '1001' }]);
    const reply = await ask({ 'Account-ID': accountId, 'Called-Number': '1001', 'Caller-ID-Number': '555', Explain: true });
    assert.equal(reply.Status, 'ringing');
    assert.match((reply.Rendering as { dial_string: string }).dial_string, /user\/1001@silent\.callgroup\.test/);
    assert.ok((reply.Stage2 as { notes: string[] }).notes.some((n) => /no registrar answered/.test(n)));
    const log = (reply.Tree as { log: { code: string }[] }[])[0]!.log;
    assert.ok(log.some((e) => e.code === 'stage2.registrar_silent'));
    const hurried = await ask({ 'Account-ID': accountId, 'Called-Number': '1001', 'Stage2-Timeout-Ms': 0, Explain: true });
    assert.equal(hurried.Status, 'ringing');
    assert.ok((hurried.Tree as { log: { code: string }[] }[])[0]!.log.some((e) => e.code === 'stage2.not_asked'));
    // a new realm on the account document reaches the cached topology too
    await store.upsert(ACCOUNTS_DB, accountId, (doc) => doc && { ...doc, realm: 'renamed.callgroup.test' });
    const renamed = Date.now();
    let dial = '';
    while (Date.now() - renamed < 1000 && !dial.includes('renamed')) {
      dial = ((await ask({ 'Account-ID': accountId, 'Called-Number': '1001', 'Stage2-Timeout-Ms': 0 })).Rendering as { dial_string: string }).dial_string;
    }
    assert.match(dial, /user\/1001@renamed\.callgroup\.test/);
  });

  test('an invalid document is refused with the field named; one written behind the store is left out with a warning', async () => {
    const accountId = await newAccount('invalid.callgroup.test');
    await assert.rejects(
      putExtension(store, accountId, { ext: '2000', type: 'GROUP', ranks: [{ mode: 'NEXT', members: [{ ext: '1001' }] }] }),
      (err: unknown) => isFifeError(err, 'store.invalid_document') && err.context.field === 'ranks.0.delay',
    );
    await assert.rejects(
      putExtension(store, accountId, { ext: '1001', forward: { mode: 'ON_BUSY', delay: 0 } }),
      (err: unknown) => isFifeError(err, 'store.invalid_document') && err.context.field === 'forward.to',
    );
    await provision(accountId, [{ ext: '1001' }]);
    await store.db(accountDbName(accountId)).insert({ _id: 'cgext-1002', pvt_type: 'callgroup_extension', ext: '1002', type: 'PHONE' } as never);
    const reply = await ask({ 'Account-ID': accountId, 'Called-Number': '1001', 'Caller-ID-Number': '555' });
    assert.equal(reply.Status, 'ringing');
    assert.deepEqual(reply.Warnings, ['document cgext-1002: type: Invalid option: expected one of "SIMPLE"|"MULTIRING"|"GROUP"|"EXTERNAL"|"TRUNK"']);
  });

  test('a document edit re-plans within 1 s (cache invalidated from the changes feed)', async () => {
    const accountId = await newAccount('edit.callgroup.test');
    await provision(accountId, [{ ext: '1001' }, { ext: '1002' }, { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }] }]);
    const legs = async () =>
      ((await ask({ 'Account-ID': accountId, 'Called-Number': '2000', 'Caller-ID-Number': '555', 'Stage2-Timeout-Ms': 0 }))['Ring-Plan'] as { extension: string }[]).map(
        (l) => l.extension,
      );
    assert.deepEqual(await legs(), ['1001']);
    assert.deepEqual(await legs(), ['1001']); // now served from the cache
    const edited = Date.now();
    // written behind the service's back (its own store instance does not see this write)
    await putExtension(store, accountId, { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1002' }] }] });
    let now: string[] = [];
    while (Date.now() - edited < 1000) {
      now = await legs();
      if (now[0] === '1002') break;
    }
    assert.deepEqual(now, ['1002'], 'the plan changed within 1 s of the edit');
  });

  test('errors are answered with error/callgroup_plan naming what is wrong', async () => {
    const unknown = await ask({ 'Account-ID': '0123456789abcdef0123456789abcdef', 'Called-Number': '2000' });
    assert.equal(unknown['Event-Category'], 'error');
    assert.equal(unknown['Event-Name'], 'callgroup_plan');
    assert.match(String(unknown['Error-Message']), /callgroup\.no_account/);
    const malformed = await ask({ 'Account-ID': 'not-an-account', 'Called-Number': '2000' });
    assert.match(String(malformed['Error-Message']), /store\.invalid_account_id/);
    const accountId = await newAccount('dry.callgroup.test');
    await provision(accountId, [{ ext: '1001' }]);
    const badState = await ask({ 'Account-ID': accountId, 'Called-Number': '1001', Stage2: { registrations: { '1001': ['bad device'] } } });
    assert.match(String(badState['Error-Message']), /Stage2.*registrations\.1001\.0/);
    const dry = await ask({ 'Account-ID': accountId, 'Called-Number': '1001', Stage2: { registrations: { '1001': ['desk', 'dect'] } } });
    assert.deepEqual((dry['Ring-Plan'] as { device: string }[]).map((l) => l.device).sort(), ['dect', 'desk']);
  });

  test('plans are counted on /metrics by status', async () => {
    const text = await (await fetch(`${app.httpUrl}/metrics`)).text();
    const ringing = /fife_callgroup_plans_total\{status="ringing",assumed="(true|false)"[^}]*\} (\d+)/.exec(text);
    assert.ok(ringing && Number(ringing[2]) > 0, text.split('\n').filter((l) => l.includes('callgroup')).join('\n'));
  });

  test('an invalid plan_req is dead-lettered and the service answers the next one', async () => {
    const accountId = await newAccount('dlq.callgroup.test');
    await provision(accountId, [{ ext: '1001' }]);
    await client.publishRaw('fife', `callgroup.plan.${accountId}`, {
      'Event-Category': 'callgroup',
      'Event-Name': 'plan_req',
      'App-Name': 'test',
      'App-Version': '0',
      'Msg-ID': 'broken-1',
      'Server-ID': 'nobody',
      'Account-ID': accountId,
    });
    const reply = await ask({ 'Account-ID': accountId, 'Called-Number': '1001', 'Caller-ID-Number': '555' });
    assert.equal(reply.Status, 'ringing');
    const conn = await amqp.connect(amqpUrl);
    try {
      const ch = await conn.createChannel();
      let found = false;
      for (let m = await ch.get(DEAD_LETTER_QUEUE, { noAck: true }); m && !found; m = await ch.get(DEAD_LETTER_QUEUE, { noAck: true })) {
        const headers = m.properties.headers ?? {};
        found = headers['x-fife-queue'] === QUEUE && /Called-Number/.test(String(headers['x-fife-reason'])) && /broken-1/.test(m.content.toString());
      }
      assert.ok(found, 'the broken plan_req is in the dead-letter queue with the missing field named');
    } finally {
      await conn.close();
    }
  });
});
