// The whole cluster as operators run it: 2 processes of every whapp and 2 ecallmgr (real supervised processes),
// 2 simulated FreeSWITCH nodes, the embedded CouchDB in its own process and a RabbitMQ node of this test's own.
// Drives registrations and calls, then injects faults under load (SIGKILL, broker restart, CouchDB outage,
// ESL drop) and checks that work is split, nothing is duplicated and nothing is lost. Every check prints its figure.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { LocalCluster, freePort } from '@fife/cluster';
import { openStore, REGISTRATIONS_DB, spawnEmbeddedCouch, type Store } from '@fife/store';
import { startSimCluster, type SimCluster } from '@fife/testkit';
import { TestBroker } from './support/broker.js';
import { EslProxy } from './support/esl-proxy.js';
import { MetricsBook, readMetric } from './support/metrics.js';
import { BusObserver } from './support/observer.js';
import { Phones, every } from './support/load.js';
import { compareLedgers, Ledger } from './support/ledger.js';
import { expectedAnswerers, passwordOf, provision, usersOf } from './support/world.js';

const APPS = ['registrar', 'router', 'callgroup', 'calendar', 'ecallmgr'];
const WHAPPS = APPS.filter((a) => a !== 'ecallmgr');
const NODES = 2;
const PHONES_PER_NODE = 150;
/** Registered in the first phase; the rest register under load, while processes are killed. */
const FIRST_WAVE = 100;
const SHARED_QUEUES = [
  'fife.registrar.authn',
  'fife.registrar.reg_success',
  'fife.registrar.reg_query',
  'fife.router.route_req',
  'fife.callgroup.plan',
  'fife.calendar.status',
  'fife.calendar.oncall',
  'fife.ecallmgr.originate',
];

/**
 * Deadlines for a 2-core machine shared with other work: the shipped ones (router store reads 500 ms, route
 * 1.5 s) assume a quiet CouchDB; the order between them is kept (router < ecallmgr < mod_xml_curl).
 */
const BUDGETS = {
  ROUTER_STORE_TIMEOUT_MS: '2500',
  ROUTER_DEADLINE_MS: '4000',
  ROUTER_REG_TIMEOUT_MS: '1000',
  ROUTER_CALENDAR_TIMEOUT_MS: '1500',
  ROUTER_CALLGROUP_TIMEOUT_MS: '2000',
  CALLGROUP_REG_TIMEOUT_MS: '800',
  ECALLMGR_AUTHN_TIMEOUT_MS: '4000',
  ECALLMGR_ROUTE_TIMEOUT_MS: '5000',
  REGISTRAR_STORE_TIMEOUT_MS: '3000',
};
const XML_CURL_TIMEOUT_MS = 7000;

const realm = `cluster-${nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}.test`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const figure = (name: string, value: unknown) => console.log(`[cluster] ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);

function withoutCouchUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.COUCH_URL; // the cluster's own embedded CouchDB, which the test stops and starts
  return copy;
}

async function eventually(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(250);
  }
  return Date.now() - started;
}

describe('cluster: 2× every whapp, 2 ecallmgr, 2 simulated FreeSWITCH nodes', { timeout: 300_000 }, () => {
  let dataDir: string;
  let broker: TestBroker;
  let sim: SimCluster;
  let cluster: LocalCluster;
  let store: Store;
  let observer: BusObserver;
  let phones: Phones;
  let metrics: MetricsBook;
  const proxies = new Map<string, EslProxy>(); // `<ecallmgr index>:<node>`
  /** Per node: channel uuids the simulator created, and sofia::register events fired per user. */
  const created: Array<Map<string, number>> = [new Map(), new Map()];
  /** sofia::register / ::unregister per `user|kind` as the nodes fired them, and reg_success as published. */
  const regFired = new Ledger();
  const regPublished = new Ledger();
  const regReplayed = new Ledger();
  const startedAt = Date.now();
  let failed = false;
  let afterKill: { missing: string[]; notPublished: string[]; takeoverMs: number; replays: { filledGaps: number; redundant: number } } | undefined;
  /** A check whose failure keeps the processes' logs for the report. */
  const check = (fn: () => Promise<void>) => async () => {
    try {
      await fn();
    } catch (err) {
      failed = true;
      throw err;
    }
  };

  const killNow = () => cluster?.killNow();
  const exitOn = () => {
    killNow();
    process.exit(1);
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fife-cluster-'));
    const brokerStarting = TestBroker.start(); // Erlang boots while the simulator and CouchDB are prepared
    const xmlPorts = [await freePort(), await freePort()];
    const urls = xmlPorts.map((p) => `http://127.0.0.1:${p}/`);
    // Each node asks its own ecallmgr first and the other when that one gives no answer (two bindings).
    sim = await startSimCluster({
      clock: 'real',
      nodes: Array.from({ length: NODES }, (_, k) => ({
        hostname: `fs${k + 1}`,
        xmlCurl: { url: urls[k % 2]!, fallbackUrls: [urls[(k + 1) % 2]!], timeoutMs: XML_CURL_TIMEOUT_MS },
        endpoints: usersOf(k + 1, PHONES_PER_NODE).map((user) => ({ user, domain: realm, password: passwordOf(user), register: false, expiresS: 3600 })),
      })),
    });
    sim.nodes.forEach((node, k) =>
      node.onEvent((e) => {
        if (e.name === 'CHANNEL_CREATE') created[k]!.set(e.get('Unique-ID') ?? '', Date.now());
        const subclass = e.name === 'CUSTOM' ? e.get('Event-Subclass') : undefined;
        if (subclass === 'sofia::register' || subclass === 'sofia::unregister') regFired.add(`${e.get('username')}|${subclass.slice(7)}`);
      }),
    );
    for (let e = 1; e <= 2; e++) for (let k = 1; k <= NODES; k++) proxies.set(`${e}:${k}`, await EslProxy.start(sim.nodes[k - 1]!.port, `ecallmgr-${e}→fs${k}`));

    // Provisioned before the processes boot, on the data folder the cluster's CouchDB then serves: the view
    // indexes are built while nothing else competes for the two cores.
    const provisionStart = Date.now();
    const seedCouch = await spawnEmbeddedCouch({ dataDir: join(dataDir, 'couch') });
    try {
      const seed = await openStore({ couchUrl: seedCouch.url });
      await provision(seed, realm, PHONES_PER_NODE, NODES);
      await seed.close();
    } finally {
      await seedCouch.stop();
    }
    figure('setup provisioned', `${NODES * PHONES_PER_NODE} devices, 6 callflows, 1 calendar, 3 call-group extensions, view indexes built in ${Date.now() - provisionStart} ms`);

    broker = await brokerStarting;
    figure('setup broker', `ready at ${Date.now() - startedAt} ms`);
    cluster = await LocalCluster.start({
      dataDir,
      apps: APPS,
      scale: Object.fromEntries(APPS.map((a) => [a, 2])),
      amqpUrl: broker.url,
      env: { ...withoutCouchUrl(process.env), ...BUDGETS, LOG_LEVEL: 'warn' },
      processEnv: (app, index) =>
        app !== 'ecallmgr'
          ? {}
          : {
              ECALLMGR_XMLCURL_PORT: String(xmlPorts[index - 1]),
              ECALLMGR_NODE_LEASES: 'on',
              LOG_LEVEL: 'info', // lease changes are logged at info
              ECALLMGR_FS_NODES: JSON.stringify(
                Array.from({ length: NODES }, (_, k) => ({ name: `fs${k + 1}`, host: '127.0.0.1', port: proxies.get(`${index}:${k + 1}`)!.port })),
              ),
            },
      onEvent: (line) => figure('supervisor', line),
    });
    // A runner that times out exits without running `after`: no process of ours may outlive it.
    process.once('exit', killNow);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, exitOn);
    store = await openStore({ couchUrl: cluster.couchUrl });
    observer = await BusObserver.start(broker.url);
    observer.onRegSuccess = (m) => {
      if (m.Realm !== realm) return;
      const key = `${String(m.Username)}|${m.Status === 'Registered' ? 'register' : 'unregister'}`;
      // A takeover re-sends the node's recent registration events marked Fife-Replayed (an idempotent
      // refresh for the registrar): kept apart, they fill gaps the previous holder left (compareLedgers).
      (m['Fife-Replayed'] === true ? regReplayed : regPublished).add(key);
    };
    metrics = new MetricsBook(() => broker.url);
    phones = new Phones(sim.nodes);
    const ready = await cluster.waitReady(90_000);
    assert.ok(ready.ready, `every process ready: ${ready.replies.filter((r) => r.Ready).length}/${cluster.expected}`);
    figure('setup ready', `${cluster.expected} processes ready at ${Date.now() - startedAt} ms`);
    await eventually('each node has an ESL connection from each ecallmgr', 20_000, () => [...proxies.values()].every((p) => p.open === 1));
  });

  after(async () => {
    process.off('exit', killNow);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.off(signal, exitOn);
    await observer?.stop();
    await store?.close();
    await cluster?.stop();
    for (const p of proxies.values()) await p.close();
    await sim?.stop();
    await broker?.stop();
    if (failed) figure('logs kept', join(dataDir, 'logs'));
    else if (dataDir) await rm(dataDir, { recursive: true, force: true });
    figure('wall time', `${Math.round((Date.now() - startedAt) / 1000)} s`);
  });

  // -- helpers over the shared state --------------------------------------------------------------------------

  const registrationDocs = async () => {
    const all = await store.db(REGISTRATIONS_DB).list({ include_docs: true });
    return all.rows.map((r) => r.doc as Record<string, unknown> | undefined).filter((d) => d?.pvt_type === 'registration' && d.realm === realm) as Array<Record<string, any>>;
  };

  /** Users the simulated nodes hold as registered, and how many documents each has in CouchDB. */
  const registrationGap = async () => {
    const inSim = new Set(sim.nodes.flatMap((n) => n.registrar.all().map((r) => r.user)));
    const perUser = new Map<string, number>();
    for (const d of await registrationDocs()) perUser.set(String(d.username), (perUser.get(String(d.username)) ?? 0) + 1);
    const missing = [...inSim].filter((u) => !perUser.has(u));
    const duplicated = [...perUser].filter(([, n]) => n > 1).map(([u]) => u);
    const stale = [...perUser.keys()].filter((u) => !inSim.has(u));
    return { registered: inSim.size, docs: [...perUser.values()].reduce((a, b) => a + b, 0), missing, duplicated, stale };
  };

  /** Call events as published vs channels the nodes created: per channel, CHANNEL_CREATE / _DESTROY counts. */
  const eventAudit = (since = 0) => {
    const counts = observer.callEventCounts();
    let channels = 0;
    const lost: string[] = [];
    const twice: string[] = [];
    for (const perNode of created)
      for (const [uuid, at] of perNode) {
        if (at < since) continue;
        channels++;
        for (const name of ['CHANNEL_CREATE', 'CHANNEL_DESTROY']) {
          const n = counts.get(`${uuid}|${name}`) ?? 0;
          if (n === 0) lost.push(`${uuid}|${name}`);
          if (n > 1) twice.push(`${uuid}|${name}×${n}`);
        }
      }
    const anyTwice = [...counts].filter(([key, n]) => n > 1 && /\|(CHANNEL_CREATE|CHANNEL_ANSWER|CHANNEL_DESTROY)$/.test(key)).map(([k, n]) => `${k}×${n}`);
    return { channels, lost, twice, anyTwice };
  };

  const regMark = () => ({ fired: regFired.snapshot(), published: regPublished.snapshot(), replayed: regReplayed.snapshot() });
  /** REGISTER / unREGISTER events the nodes fired since `mark` against reg_success messages published since. */
  const regAudit = (mark: ReturnType<typeof regMark>) => compareLedgers(regFired.since(mark.fired), regPublished.since(mark.published), regReplayed.since(mark.replayed));
  const regFigure = (a: ReturnType<typeof regAudit>) => ({ events: a.happened, published: a.published, publishedTwice: a.twice.length, notPublished: a.lost.length });

  /** Phones the nodes hold as registered but CouchDB does not (lost earlier) register again, as they would on their next refresh. */
  const heal = async (phase: string) => {
    const { missing } = await registrationGap();
    const where = (u: string) => Number(u[0]);
    await phones.registerMany(missing.map((u) => [where(u), u] as [number, string]), 8);
    if (missing.length) await eventually('healed registrations stored', 15_000, async () => (await registrationGap()).missing.length === 0).catch(() => undefined);
    figure(`${phase}: re-registered before the phase (lost earlier)`, missing.length);
  };

  let callSeq = 0;
  /** `count` calls on `node`, rotating over its targets (device, call group, calendar) and its callers. */
  const callsTo = (node: number, count: number) => {
    const targets = Object.entries(expectedAnswerers(node));
    const callers = usersOf(node, FIRST_WAVE).slice(10); // 0..9 are callees, never callers
    return Array.from({ length: count }, () => {
      const i = callSeq++;
      const [to, answerers] = targets[i % targets.length]!;
      return phones.call(node, callers[(i * 7) % callers.length]!, to, answerers, realm);
    });
  };

  /** Background load: refreshes registered phones and places calls on both nodes until stopped. */
  const startLoad = (regsPerSecond: number, callsPerSecond: number) => {
    let tick = 0;
    let regs = 0;
    let calls = 0;
    return every(100, () => {
      tick++;
      regs += regsPerSecond / 10;
      calls += callsPerSecond / 10;
      for (; regs >= 1; regs--) {
        const k = 1 + (tick % NODES);
        const registered = sim.nodes[k - 1]!.registrar.all();
        const pick = registered[(tick * 31) % Math.max(registered.length, 1)];
        if (pick) phones.spawn(phones.register(k, pick.user));
      }
      for (; calls >= 1; calls--) for (const c of callsTo(1 + ((tick + 1) % NODES), 1)) phones.spawn(c);
    });
  };

  const splitOk = (perSlot: Record<string, number>, app: string) => [1, 2].every((i) => (perSlot[`${app}-${i}`] ?? 0) > 0);

  // -- the checks ----------------------------------------------------------------------------------------------

  test('baseline: registrations and calls split across processes, stored once, published once, none lost', check(async () => {
    const mark = regMark();
    const t0 = Date.now();
    const wave = Array.from({ length: NODES }, (_, k) => usersOf(k + 1, FIRST_WAVE).map((u) => [k + 1, u] as [number, string])).flat();
    const callees = wave.filter(([, u]) => Number(u.slice(1)) < 10);
    await phones.registerMany(callees, 8);
    // One call per target and node while the rest registers: the first lookups fill the processes' caches.
    const warmUp = Promise.all(Array.from({ length: NODES }, (_, k) => callsTo(k + 1, 3)).flat());
    await phones.registerMany(wave.filter((w) => !callees.includes(w)), 24);
    figure('baseline registrations', `${wave.length} phones in ${Date.now() - t0} ms, ${phones.registerFirstFailures} first-attempt failures, ${phones.registerFinalFailures.length} lost`);
    assert.deepEqual(phones.registerFinalFailures, [], 'every phone registered');
    const warm = await warmUp;
    figure('baseline warm-up calls (cold caches)', `${warm.length} placed, ${warm.filter((c) => c.attempts === 1 && c.answeredBy).length} answered at the first attempt, ${warm.filter((c) => !c.answeredBy).length} not answered`);

    const t1 = Date.now();
    const redialsBefore = phones.callFirstFailures;
    const calls = await Promise.all([...callsTo(1, 12), ...callsTo(2, 12)]);
    const unanswered = calls.filter((c) => !c.answeredBy);
    figure('baseline calls', `${calls.length} calls (device, call group, calendar) in ${Date.now() - t1} ms, ${phones.callFirstFailures - redialsBefore} redialled, ${unanswered.length} not answered by the right phone`);
    assert.equal(unanswered.length, 0, `unanswered: ${JSON.stringify(unanswered.slice(0, 5))}`);

    let regs = await registrationGap();
    await eventually('every registration stored', 10_000, async () => ((regs = await registrationGap()), regs.missing.length === 0)).catch(() => undefined);
    figure('baseline registrations stored', { registered: regs.registered, documents: regs.docs, missing: regs.missing.length, duplicated: regs.duplicated.length });
    assert.equal(regs.docs, regs.registered, 'one document per registered phone');
    assert.deepEqual(regs.duplicated, []);

    await sleep(1500); // the last hangups' events
    const events = eventAudit();
    figure('baseline call events', { channels: events.channels, lost: events.lost.length, publishedTwice: events.twice.length });
    assert.deepEqual(events.twice, [], 'no channel event published twice');
    assert.deepEqual(events.lost, [], 'no channel event lost');
    const reg = regAudit(mark);
    figure('baseline reg_success', regFigure(reg));
    assert.deepEqual(reg.twice, [], 'no registration published twice');
    assert.deepEqual(reg.lost, [], 'no registration event lost');

    await metrics.scrape();
    const split = {
      registrar: metrics.perSlot('registrar', 'fife_messages_in_total'),
      router: metrics.perSlot('router', 'fife_messages_in_total'),
      callgroup: metrics.perSlot('callgroup', 'fife_messages_in_total'),
      calendar: metrics.perSlot('calendar', 'fife_messages_in_total'),
      ecallmgr_xml_curl: metrics.perSlot('ecallmgr', 'fife_ecallmgr_fetch_seconds_count'),
      ecallmgr_events_published: metrics.perSlot('ecallmgr', 'fife_ecallmgr_events_published_total', { ok: 'true' }),
    };
    figure('baseline messages consumed per process', split);
    for (const app of WHAPPS) assert.ok(splitOk(split[app as keyof typeof split], app), `${app}: both processes consumed work ${JSON.stringify(split[app as keyof typeof split])}`);
    assert.ok(splitOk(split.ecallmgr_xml_curl, 'ecallmgr'), 'both ecallmgr served mod_xml_curl');
    figure('baseline node leases (events are published by the holder only)', (await metrics.current('ecallmgr', 'fife_ecallmgr_node_lease', { node: /fs/ })).map(({ node, value }) => ({ node, value })));
  }));

  test('SIGKILL one process of each kind under load: every process restarted, no route lost, REGISTERs retried and accepted, nothing published twice', check(async () => {
    await heal('kill');
    const leases = await metrics.current('ecallmgr', 'fife_ecallmgr_node_lease', { node: /fs/ });
    figure('kill: node leases before', leases.map(({ node, value }) => ({ node, value })));
    // The ecallmgr killed is the one publishing the most nodes' events: the hard case (its standby must take over).
    const holder = [...leases].sort((a, b) => b.value - a.value)[0]!;
    const victims = Object.fromEntries(APPS.map((app) => [app, app === 'ecallmgr' ? Number(/ecallmgr-(\d)/.exec(holder.node)![1]) : 1]));
    const mark = regMark();
    const regFirst = phones.registerFirstFailures;
    const regFinal = phones.registerFinalFailures.length;
    const callFirst = phones.callFirstFailures;
    const callsBefore = phones.calls.length;
    const stop = startLoad(20, 4);
    // The second wave of phones registers while processes die.
    const wave = Array.from({ length: NODES }, (_, k) => usersOf(k + 1, PHONES_PER_NODE).slice(FIRST_WAVE).map((u) => [k + 1, u] as [number, string])).flat();
    const registering = phones.registerMany(wave, 6);
    await sleep(2000);
    const killedAt = Date.now();
    const pids = APPS.map((app) => `${app}#${victims[app]}=${cluster.supervisor.kill(app, victims[app]!, 'SIGKILL')}`);
    figure('kill: killed', `${pids.join(' ')} at ${new Date(killedAt).toISOString()}`);
    const standby = leases.find((l) => l.node !== holder.node)!;
    const takeoverMs = await eventually('the standby ecallmgr holds every node', 15_000, async () => (await readMetric(standby.url, 'fife_ecallmgr_node_lease', { node: /fs/ }).catch(() => 0)) === NODES).catch(() => -1);
    figure('kill: node leases taken over by the standby', `${takeoverMs} ms after the kill (it replays the nodes' registration events of the last seconds)`);
    await sleep(Math.max(0, 6000 - (Date.now() - killedAt)));
    stop();
    await registering;
    await phones.settle();
    const back = await cluster.waitReady(60_000);
    figure('kill: killed processes back', `${back.ready ? 'all' : 'NOT all'} ${cluster.expected} ready ${Date.now() - killedAt} ms after the kill`);
    assert.ok(back.ready, 'the supervisor restarted every killed process');

    const calls = phones.calls.slice(callsBefore);
    const lostCalls = calls.filter((c) => !c.answeredBy);
    figure('kill: REGISTERs', `${wave.length} new phones + refreshes, ${phones.registerFirstFailures - regFirst} retried by the phone, ${phones.registerFinalFailures.length - regFinal} refused after ${6} tries`);
    figure('kill: calls', `${calls.length} calls, ${phones.callFirstFailures - callFirst} redialled after a failed route, ${lostCalls.length} lost`);
    let gap = await registrationGap();
    await eventually('every registration stored', 10_000, async () => ((gap = await registrationGap()), gap.missing.length === 0)).catch(() => undefined);
    figure('kill: registrations stored', { registered: gap.registered, documents: gap.docs, missing: gap.missing, duplicated: gap.duplicated });
    const reg = regAudit(mark);
    figure('kill: reg_success', regFigure(reg));
    figure('kill: node leases after', (await metrics.current('ecallmgr', 'fife_ecallmgr_node_lease', { node: /fs/ })).map(({ node, value }) => ({ node, value })));
    if (reg.lost.length) figure('kill: REGISTERs never published', reg.lost);
    assert.equal(phones.registerFinalFailures.length, regFinal, 'every REGISTER eventually accepted');
    assert.equal(lostCalls.length, 0, `calls lost: ${JSON.stringify(lostCalls.slice(0, 5))}`);
    assert.deepEqual(reg.twice, [], 'no registration published twice');
    assert.deepEqual(gap.duplicated, []);
    afterKill = { missing: gap.missing, notPublished: reg.lost, takeoverMs, replays: reg.replays };
  }));

  // The standby ecallmgr keeps the registration events of the nodes it does not publish and re-sends the
  // last seconds' worth when it takes a node over, so REGISTERs accepted while the holder was dying still
  // reach a registrar (apps/ecallmgr/src/nodes/replay.ts).
  test('SIGKILL of the lease-holding ecallmgr: every REGISTER accepted meanwhile is stored', async () => {
    assert.ok(afterKill, 'the SIGKILL phase ran');
    figure('kill: registrations lost in the lease handover', afterKill);
    figure('kill: replayed registration events on takeover', afterKill.replays);
    assert.deepEqual(afterKill.notPublished, [], 'every REGISTER the nodes accepted was published');
    assert.deepEqual(afterKill.missing, [], 'every phone the nodes hold as registered has its document');
  });

  test('RabbitMQ restart: every process reconnects within 10 s and resumes, no consumer left idle', check(async () => {
    await heal('broker');
    const stop = startLoad(10, 2);
    await sleep(1000);
    const { stoppedAt, startedAt: upAt } = await broker.restart(2000);
    figure('broker: down', `${upAt - stoppedAt} ms from stop_app returning to start_app + await_startup returning`);
    const back = await cluster.waitReady(20_000);
    const readyMs = Date.now() - upAt;
    stop();
    await phones.settle();
    figure('broker: processes answering ping after start_app', `${back.replies.filter((r) => r.Ready).length}/${cluster.expected} in ${readyMs} ms`);
    assert.ok(back.ready && readyMs <= 10_000, `every process ready within 10 s of the broker (${readyMs} ms)`);
    const consumers = await broker.consumers(SHARED_QUEUES);
    figure('broker: consumers per shared queue (passive declare)', consumers);
    const listed = await broker.listedConsumers(SHARED_QUEUES);
    figure('broker: consumers per shared queue (rabbitmqctl list_queues)', listed);
    figure('broker: ping replies per process', back.replies.map((r) => `${String(r.Node)}/${String(r.PID)}`).sort());
    const connections = await broker.connectionNames();
    figure('broker: AMQP connections by connection_name', connections);
    for (const q of SHARED_QUEUES) assert.equal(listed[q], 2, `${q}: exactly the 2 processes consume (listed ${listed[q]}, passive ${consumers[q]})`);

    // Resumed: each process does work after the restart (counters of the new window only).
    metrics.reset();
    await metrics.scrape();
    const counters = () => ({
      ...Object.fromEntries(WHAPPS.map((app) => [app, metrics.perSlot(app, 'fife_messages_in_total')])),
      ecallmgr_xml_curl: metrics.perSlot('ecallmgr', 'fife_ecallmgr_fetch_seconds_count'),
      ecallmgr_events_published: metrics.perSlot('ecallmgr', 'fife_ecallmgr_events_published_total', { ok: 'true' }),
    });
    const before = counters();
    const mark = regMark();
    const since = Date.now();
    const regsBefore = phones.registerFinalFailures.length;
    const burstRegs = sim.nodes.flatMap((n, k) => n.registrar.all().slice(0, 20).map((r) => [k + 1, r.user] as [number, string]));
    await phones.registerMany(burstRegs, 8);
    const calls = await Promise.all([...callsTo(1, 9), ...callsTo(2, 9)]);
    await sleep(1500);
    await metrics.scrape();
    const after = counters();
    const delta = Object.fromEntries(
      Object.entries(after).map(([kind, slots]) => [kind, Object.fromEntries(Object.entries(slots).map(([slot, n]) => [slot, n - ((before as Record<string, Record<string, number>>)[kind]?.[slot] ?? 0)]))]),
    );
    figure('broker: work per process after the restart', delta);
    const unanswered = calls.filter((c) => !c.answeredBy);
    const events = eventAudit(since);
    const reg = regAudit(mark);
    figure('broker: after the restart', { registrations: burstRegs.length, refused: phones.registerFinalFailures.length - regsBefore, calls: calls.length, unanswered: unanswered.length, channels: events.channels, eventsLost: events.lost.length, eventsTwice: events.twice.length });
    figure('broker: reg_success after the restart', regFigure(reg));
    for (const app of WHAPPS) assert.ok(splitOk(delta[app]!, app), `${app}: both processes consume after the restart ${JSON.stringify(delta[app])}`);
    assert.ok(splitOk(delta.ecallmgr_xml_curl!, 'ecallmgr'), 'both ecallmgr serve mod_xml_curl after the restart');
    assert.equal(unanswered.length, 0);
    assert.deepEqual(events.lost, [], 'call events published again after the restart');
    assert.deepEqual(events.twice, []);
    assert.deepEqual(reg.twice, []);
    assert.deepEqual(reg.lost, [], 'registrations published again after the restart');
  }));

  test('CouchDB stopped 5 s: auth served from cache, registration writes retried and completed', check(async () => {
    await heal('couch');
    const node1 = sim.nodes[0]!.registrar.all().map((r) => r.user).filter((u) => Number(u.slice(1)) >= 10);
    const comeBack = node1.slice(0, 10); // unregistered before the outage, register during it: documents to create
    const leave = node1.slice(10, 20); // unregister during the outage: documents to delete
    for (const u of comeBack) phones.phone(1, u).unregister();
    await eventually('unregistered phones have no document', 10_000, async () => {
      const users = new Set((await registrationDocs()).map((d) => String(d.username)));
      return comeBack.every((u) => !users.has(u));
    });
    const mark = regMark();
    const firstBefore = phones.registerFirstFailures;
    const finalBefore = phones.registerFinalFailures.length;
    await cluster.stopCouch();
    const downAt = Date.now();
    let upAt = Number.POSITIVE_INFINITY;
    const outageCalls = callsTo(1, 4); // informative: the router's own caches
    const during = (ok: boolean) => ok && Date.now() < upAt;
    const comeBackDone = Promise.all(comeBack.map(async (u) => during(await phones.register(1, u))));
    for (const u of leave) phones.phone(1, u).unregister();
    const refreshDone = Promise.all(sim.nodes[1]!.registrar.all().slice(0, 20).map(async (r) => during(await phones.register(2, r.user))));
    await sleep(5000);
    await cluster.startCouch();
    upAt = Date.now();
    figure('couch: outage', `${upAt - downAt} ms`);
    const registered = await comeBackDone;
    const refreshes = await refreshDone;
    const acceptedDuring = registered.concat(refreshes).filter(Boolean).length;
    figure('couch: REGISTERs during the outage', `${comeBack.length + refreshes.length} sent, ${acceptedDuring} accepted before CouchDB was back, ${phones.registerFirstFailures - firstBefore} needed a retry, ${phones.registerFinalFailures.length - finalBefore} refused`);
    assert.equal(acceptedDuring, comeBack.length + refreshes.length, 'every REGISTER answered from cache while CouchDB was down');

    let gap = await registrationGap();
    const settledMs = await eventually('writes of the outage completed', 30_000, async () => {
      gap = await registrationGap();
      return gap.missing.length === 0 && gap.stale.length === 0;
    }).catch(() => -1);
    const answered = (await Promise.all(outageCalls)).filter((c) => c.answeredBy).length;
    figure('couch: calls placed during the outage (informative)', `${outageCalls.length} placed, ${answered} answered`);
    figure('couch: writes completed after CouchDB came back', { ms: settledMs, registered: gap.registered, documents: gap.docs, missing: gap.missing, stale: gap.stale, duplicated: gap.duplicated });
    const reg = regAudit(mark);
    figure('couch: reg_success', regFigure(reg));
    assert.ok(settledMs >= 0, `missing ${gap.missing.join(',')} stale ${gap.stale.join(',')} ${Date.now() - upAt} ms after CouchDB came back`);
    assert.deepEqual(gap.duplicated, []);
    assert.deepEqual(reg.twice, []);
  }));

  test('ESL connection dropped and restored: events resume, nothing published twice', check(async () => {
    await heal('esl');
    const leases = await metrics.current('ecallmgr', 'fife_ecallmgr_node_lease', { node: 'fs1' });
    const holder = leases.find((l) => l.value === 1)?.node;
    figure('esl: fs1 lease before the drop', leases.map(({ node, value }) => ({ node, value })));
    assert.ok(holder, 'one ecallmgr holds fs1');
    const index = Number(/ecallmgr-(\d)/.exec(holder)![1]);
    const proxy = proxies.get(`${index}:1`)!;
    const acceptedBefore = proxy.accepted;
    const mark = regMark();
    const since = Date.now();
    const stop = startLoad(10, 4);
    await sleep(1000);
    const droppedAt = Date.now();
    const dropped = await proxy.drop(3000);
    await eventually(`${proxy.label} reconnected`, 15_000, () => proxy.open === 1);
    const restoredAt = Date.now();
    await sleep(3000);
    stop();
    await phones.settle();
    await sleep(1500);
    await metrics.scrape();
    figure('esl: drop', `${proxy.label}: ${dropped} connection dropped, refused for 3 s, reconnected ${restoredAt - droppedAt} ms after the drop (${proxy.accepted - acceptedBefore} new connection)`);
    figure('esl: fs1 lease after', (await metrics.current('ecallmgr', 'fife_ecallmgr_node_lease', { node: 'fs1' })).map(({ node, value }) => ({ node, value })));
    const events = eventAudit(since);
    const calls = phones.calls.filter((c) => c.startedAt >= since);
    figure('esl: calls and events', { calls: calls.length, unanswered: calls.filter((c) => !c.answeredBy).length, channels: events.channels, lost: events.lost.length, publishedTwice: events.twice.length });
    if (events.lost.length) figure('esl: events not published (channel|event)', events.lost.slice(0, 10));
    const afterRestore = eventAudit(restoredAt + 1000);
    figure('esl: channels created from 1 s after the reconnect', { channels: afterRestore.channels, lost: afterRestore.lost.length });
    const reg = regAudit(mark);
    figure('esl: reg_success', regFigure(reg));
    const whole = eventAudit();
    figure('whole run: call events', { channels: whole.channels, lost: whole.lost.length, publishedTwice: whole.anyTwice.length });
    const wholeReg = compareLedgers(regFired.snapshot(), regPublished.snapshot(), regReplayed.snapshot());
    figure('whole run: reg_success', regFigure(wholeReg));
    assert.deepEqual(events.twice, [], 'nothing published twice around the drop');
    assert.deepEqual(reg.twice, [], 'no registration published twice around the drop');
    assert.deepEqual(afterRestore.lost, [], 'events of calls after the restore are all published');
    assert.deepEqual(whole.anyTwice, [], 'no CREATE/ANSWER/DESTROY published twice in the whole run');
    assert.deepEqual(wholeReg.twice, [], 'no registration published twice in the whole run');
  }));
});
