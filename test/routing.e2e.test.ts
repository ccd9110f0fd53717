// Routing end to end: ecallmgr, registrar, router, callgroup and calendar (each started the way its
// process starts it) on a private RabbitMQ vhost and one embedded CouchDB, in front of a simulated
// FreeSWITCH node. Phones register through ecallmgr's mod_xml_curl directory and the registrar; calls
// are placed on the simulator and the assertions read its ring log: who rang, from when, who answered.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { freePort } from '@fife/cluster';
import { accountDbName, newDocId, openStore, type Store } from '@fife/store';
import { startSimNode, VirtualClock, type PhoneCall, type RingLog, type SimNode, testVhost } from '@fife/testkit';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import { ecallmgrWhapp, type EcallmgrRuntime } from '@fife/ecallmgr';
import { registrarWhapp } from '@fife/registrar';
import { routerWhapp } from '@fife/router';
import { callgroupWhapp, putExtension } from '@fife/callgroup';
import { putCalendar } from '@fife/calendar';
// @fife/calendar does not export its whapp definition (yet): the same import its main.ts makes.
import { createCalendarWhapp } from '../apps/calendar/src/whapp.js';

const id = nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
const REALM = `routing-${id}.example.com`;
/** Support hours every day 08:00–17:00 UTC; the router's clock is set inside or outside them. */
const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z').getTime();
const OPEN_AT = new Date(today + 10 * 3600_000);
const CLOSED_AT = new Date(today + 20 * 3600_000);

const phones = {
  caller: { user: '1000', behaviour: { kind: 'noanswer' as const } },
  desk: { user: '2000', behaviour: { kind: 'answer' as const, afterS: 2 } },
  first: { user: '2101', behaviour: { kind: 'noanswer' as const } },
  second: { user: '2102', behaviour: { kind: 'answer' as const, afterS: 3 } },
  busy: { user: '2200', behaviour: { kind: 'busy' as const, afterS: 1 } },
  erin: { user: '2300', behaviour: { kind: 'noanswer' as const } },
  backup: { user: '2401', behaviour: { kind: 'noanswer' as const } },
  last: { user: '2402', behaviour: { kind: 'answer' as const, afterS: 2 } },
};

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Attempts as [phone, start second, answered], and the answer second. */
function summary(log: RingLog | undefined): { rang: Array<[string, number, boolean]>; answeredBy?: string; answeredS?: number } {
  assert.ok(log, 'the call has a ring log');
  return {
    rang: log.attempts.map((a) => [(a.endpoint ?? a.target).replace(`@${REALM}`, ''), Math.round(a.startS), a.outcome === 'answered']),
    ...(log.answeredBy ? { answeredBy: log.answeredBy.replace(`@${REALM}`, '') } : {}),
    ...(log.answeredS !== undefined ? { answeredS: Math.round(log.answeredS) } : {}),
  };
}

describe('routing end to end: ecallmgr + registrar + router + callgroup + calendar + simulated FreeSWITCH', { timeout: 60_000 }, () => {
  const clock = new VirtualClock();
  let routerClock = OPEN_AT;
  let dir: string;
  let store: Store;
  let node: SimNode;
  let ecallmgr: EcallmgrRuntime | undefined;
  const apps: Array<RunningWhapp<any>> = [];

  async function call(to: string, runS = 20): Promise<PhoneCall> {
    const placed = await node.phone(phones.caller.user, REALM).call(to);
    await clock.advance(runS * 1000);
    return placed;
  }

  async function finish(placed: PhoneCall): Promise<void> {
    placed.hangup();
    await clock.advance(1000);
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fife-routing-e2e-'));
    store = await openStore({ dataDir: join(dir, 'couch') });
    const amqpUrl = await testVhost('routing-e2e');
    const common = { AMQP_URL: amqpUrl, COUCH_URL: store.url, FIFE_DATA_DIR: dir, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', HTTP_PORT: '0', DRAIN_TIMEOUT_MS: '2000' };

    // Provisioning: the account, a SIP device per phone, Dan (2200) forwarding on busy to the desk.
    const accountId = await store.createAccount({ name: `Routing ${id}`, realm: REALM });
    const db = accountDbName(accountId);
    const put = async (doc: Record<string, unknown>) => {
      const docId = newDocId();
      await store.upsert(db, docId, () => ({ ...doc, _id: docId }));
      return docId;
    };
    const dan = await put({ pvt_type: 'user', first_name: 'Dan', call_forward: { busy: { number: '2000' } } });
    // Erin (2300) forwards after 5 s to 2400, whose own flow is 2401 for 5 s, then 2402.
    const erin = await put({ pvt_type: 'user', first_name: 'Erin', call_forward: { no_answer: { number: '2400', after_s: 5 } } });
    const owners: Record<string, string> = { '2200': dan, '2300': erin };
    const devices: Record<string, string> = {};
    for (const { user } of Object.values(phones)) {
      devices[user] = await store.createDevice(accountId, { sip: { username: user, password: `pw${user}` }, ...(owners[user] ? { owner_id: owners[user] } : {}) });
    }
    await put({ pvt_type: 'callflow', numbers: ['2300'], flow: { module: 'user', data: { id: erin } } });
    await put({
      pvt_type: 'callflow',
      numbers: ['2400'],
      flow: { module: 'device', data: { id: devices['2401'], timeout_s: 5 }, children: { _: { module: 'device', data: { id: devices['2402'] } } } },
    });
    await put({ pvt_type: 'callflow', numbers: ['2000'], flow: { module: 'device', data: { id: devices['2000'] } } });
    await put({ pvt_type: 'callflow', numbers: ['2200'], flow: { module: 'user', data: { id: dan } } });
    await put({ pvt_type: 'callflow', numbers: ['3000'], flow: { module: 'callgroup', data: {} } });
    await put({
      pvt_type: 'callflow',
      numbers: ['5000'],
      flow: {
        module: 'calendar',
        data: { calendar_id: 'support', name: 'Support' },
        children: { open: { module: 'device', data: { id: devices['2000'] } }, closed: { module: 'hangup', data: { cause: 'NO_ANSWER' } } },
      },
    });
    // Call group 3000: 2101 at once, 2102 joining after 10 s (a NEXT rank).
    for (const ext of ['2101', '2102']) await putExtension(store, accountId, { ext, type: 'SIMPLE', name: `Phone ${ext}` } as never);
    await putExtension(store, accountId, {
      ext: '3000',
      type: 'GROUP',
      name: 'Sales',
      ranks: [
        { mode: 'DEFAULT', members: [{ ext: '2101' }] },
        { mode: 'NEXT', delay: 10, members: [{ ext: '2102' }] },
      ],
    } as never);
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Fife//routing e2e//EN',
      'BEGIN:VEVENT', 'UID:support-hours@routing.e2e', 'DTSTART:20260101T080000Z', 'DTEND:20260101T170000Z', 'RRULE:FREQ=DAILY', 'SUMMARY:Support open', 'END:VEVENT',
      'END:VCALENDAR', '',
    ].join('\r\n');
    await putCalendar(store, accountId, 'support', { name: 'Support', kind: 'hours', timezone: 'UTC', source: { type: 'inline', ics } } as never);

    const xmlCurlPort = await freePort();
    node = await startSimNode({
      hostname: `fs-routing-${id}`,
      clock,
      granularity: 'exact',
      xmlCurl: { url: `http://127.0.0.1:${xmlCurlPort}/fetch` },
      endpoints: Object.values(phones).map(({ user, behaviour }) => ({ user, domain: REALM, password: `pw${user}`, register: false, behaviour })),
    });
    apps.push(await startWhapp(registrarWhapp(), { ...common, NODE_NAME: `registrar-${id}@test`, REGISTRAR_COMPACT_INTERVAL_MS: '0' }));
    // Generous lookup bounds: the shared test machine can be slow, and a timed-out lookup changes the route.
    const router = { ROUTER_DEADLINE_MS: '4000', ROUTER_REG_TIMEOUT_MS: '1500', ROUTER_CALENDAR_TIMEOUT_MS: '1500', ROUTER_CALLGROUP_TIMEOUT_MS: '3000' };
    apps.push(await startWhapp(routerWhapp({ now: () => routerClock }), { ...common, ...router, NODE_NAME: `router-${id}@test` }));
    apps.push(await startWhapp(callgroupWhapp, { ...common, NODE_NAME: `callgroup-${id}@test`, CALLGROUP_REG_TIMEOUT_MS: '2000' }));
    apps.push(await startWhapp(createCalendarWhapp().definition, { ...common, NODE_NAME: `calendar-${id}@test` }));
    apps.push(
      await startWhapp(ecallmgrWhapp({ onReady: (r) => (ecallmgr = r) }), {
        ...common,
        NODE_NAME: `ecallmgr-${id}@test`,
        ECALLMGR_FS_NODES: `127.0.0.1:${node.port}`,
        ECALLMGR_XMLCURL_PORT: String(xmlCurlPort),
        ECALLMGR_FS_PASSWORD: 'ClueCon',
        ECALLMGR_ROUTE_TIMEOUT_MS: '4500',
      }),
    );
    await waitFor('the ESL connection and its node lease', () => ecallmgr && ecallmgr.pool.nodes[0]!.up && ecallmgr.owns(ecallmgr.pool.nodes[0]!.name));
    for (const { user } of Object.values(phones)) {
      assert.equal(await node.phone(user, REALM).register(), 'registered', `${user} registers through ecallmgr and the registrar`);
    }
  });

  after(async () => {
    for (const app of apps.reverse()) await app.stop().catch(() => undefined);
    await node?.stop();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a device: the desk rings at once and answers', async () => {
    // The registrar's store write and the first routing read race the registration: ask until it rings.
    const placed = await waitFor('the desk to ring', async () => {
      const attempt = await call('2000', 5);
      if (attempt.ringLog()?.attempts.length) return attempt;
      await finish(attempt);
      return undefined;
    });
    assert.deepEqual(summary(placed.ringLog()), { rang: [['2000', 0, true]], answeredBy: '2000', answeredS: 2 });
    await finish(placed);
  });

  test('a call group with a delayed rank: 2101 at once, 2102 from 10 s, 2102 answers 3 s later', async () => {
    const placed = await call('3000');
    const seen = summary(placed.ringLog());
    assert.deepEqual(seen.rang.map(([who, from]) => [who, from]), [['2101', 0], ['2102', 10]], JSON.stringify(placed.ringLog()));
    assert.equal(seen.answeredBy, '2102');
    assert.equal(seen.answeredS, 13);
    await finish(placed);
  });

  test('a calendar-gated number: open rings the desk, closed rings nobody and ends the call', async () => {
    routerClock = OPEN_AT;
    const open = await call('5000', 5);
    assert.deepEqual(summary(open.ringLog()), { rang: [['2000', 0, true]], answeredBy: '2000', answeredS: 2 });
    await finish(open);

    routerClock = CLOSED_AT;
    const closed = await call('5000', 2);
    assert.equal(closed.ringLog()?.attempts.length ?? 0, 0, 'nobody rang');
    assert.match(await closed.done, /NO_ANSWER|NO_USER_RESPONSE|480/);
    routerClock = OPEN_AT;
  });

  test('forward on busy: Dan (2200) is busy, the desk takes the call', async () => {
    const placed = await call('2200');
    const seen = summary(placed.ringLog());
    assert.deepEqual(seen.rang, [['2200', 0, false], ['2000', 1, true]], JSON.stringify(placed.ringLog()));
    assert.equal(seen.answeredBy, '2000');
    assert.equal(seen.answeredS, 3);
    await finish(placed);
  });

  test('a delayed forward to a multi-step target: Erin 0–5 s, then 2401 5–10 s, then 2402 answers', async () => {
    const placed = await call('2300');
    const seen = summary(placed.ringLog());
    assert.deepEqual(seen.rang, [['2300', 0, false], ['2401', 5, false], ['2402', 10, true]], JSON.stringify(placed.ringLog()));
    assert.equal(seen.answeredS, 12);
    await finish(placed);
  });
});
