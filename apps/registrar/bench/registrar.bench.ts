// Registrar benchmark (bounded: 85 s plus clean-up): node --import tsx apps/registrar/bench/registrar.bench.ts
//  1. authn_req → authn_resp round trips with warm caches: one at a time, paced at 1,000 req/s (p50 / p99), and closed-loop
//     round trips/s; against a raw amqplib request/response (a responder that only echoes) measured the same way.
//  2. reg_success stored per second: a burst of 10,000 distinct phones until CouchDB holds them all.
//  3. A storm: 10,000 phones authenticating and registering within 12 s; every authn_req must be answered.
// The registrar, the embedded CouchDB and the baseline responder each run as their own process; the broker
// is the test broker (scripts/rabbitmq.sh). Numbers depend on the machine: compare the ratios.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import amqp, { type Channel } from 'amqplib';
import { nanoid } from 'nanoid';
import { encodeSegment } from '@fife/api';
import { accountDbName, bulkWrite, openStore, REGISTRATIONS_DB, spawnEmbeddedCouch, type Store } from '@fife/store';
import { brokerUrl } from '@fife/testkit';

const DEVICES = 1000;
const PACED_RATE = 1000;
const PACED_SECONDS = 4;
const CLOSED_LOOP_MS = 3000;
const CONCURRENCY = 32;
const SEQUENTIAL = 500;
const BURST_PHONES = 10_000;
const STORM_PHONES = 10_000;
const STORM_SECONDS = 12;
/** Hard bound of the whole run: phases that would overrun are cut short and reported as such. */
const BUDGET_MS = 85_000;
const startedAt = Date.now();
const left = (reserveMs = 0): number => BUDGET_MS - reserveMs - (Date.now() - startedAt);
const here = fileURLToPath(new URL('.', import.meta.url));
const tsx = import.meta.resolve('tsx');

type Reply = Record<string, unknown>;

/** One AMQP client that sends requests and matches replies by Msg-ID, timing each round trip. */
class Requester {
  private readonly waiting = new Map<string, { sent: bigint; resolve: (r: { reply: Reply; ms: number }) => void }>();
  private constructor(readonly ch: Channel, readonly serverId: string) {}

  static async open(url: string): Promise<Requester> {
    const connection = await amqp.connect(url, { noDelay: true });
    const ch = await connection.createChannel();
    const serverId = `bench-requester-${nanoid(8)}`;
    await ch.assertQueue(serverId, { exclusive: true, autoDelete: true });
    await ch.bindQueue(serverId, 'targeted', serverId);
    const requester = new Requester(ch, serverId);
    await ch.consume(serverId, (m) => m && requester.onReply(JSON.parse(m.content.toString('utf8'))), { noAck: true });
    return requester;
  }

  private onReply(reply: Reply): void {
    const w = this.waiting.get(String(reply['Msg-ID']));
    if (!w) return;
    this.waiting.delete(String(reply['Msg-ID']));
    w.resolve({ reply, ms: Number(process.hrtime.bigint() - w.sent) / 1e6 });
  }

  request(exchange: string, key: string, body: Reply, timeoutMs = 5000): Promise<{ reply: Reply; ms: number } | undefined> {
    const msgId = nanoid();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(msgId);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(msgId, { sent: process.hrtime.bigint(), resolve: (r) => (clearTimeout(timer), resolve(r)) });
      this.ch.publish(exchange, key, Buffer.from(JSON.stringify({ ...body, 'Msg-ID': msgId, 'Server-ID': this.serverId })), { contentType: 'application/json' });
    });
  }
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Paced {
  sent: number;
  answered: number;
  p50: number;
  p99: number;
  max: number;
}

/** Sends `rate` requests per second for `seconds` on a fixed schedule (not back-to-back), times each one. */
async function paced(rate: number, seconds: number, send: (i: number) => Promise<{ ms: number } | undefined>): Promise<Paced> {
  const total = rate * seconds;
  const start = performance.now();
  const inflight: Promise<{ ms: number } | undefined>[] = [];
  for (let i = 0; i < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; i < due; i++) inflight.push(send(i));
    await new Promise((r) => setTimeout(r, 1));
  }
  const results = await Promise.all(inflight);
  const ms = results.flatMap((r) => (r ? [r.ms] : [])).sort((a, b) => a - b);
  return { sent: total, answered: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms[ms.length - 1] ?? NaN };
}

/** Keeps `concurrency` requests in flight for `ms`; returns completed round trips per second. */
async function closedLoop(ms: number, concurrency: number, send: (i: number) => Promise<unknown>): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  let i = 0;
  const worker = async () => {
    while (performance.now() < end) {
      if (await send(i++)) done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (done / (performance.now() - started)) * 1000;
}

function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv, readyWhen: (line: string) => boolean): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', tsx, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 30_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (readyWhen(line)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function provision(store: Store, realm: string): Promise<string> {
  const accountId = await store.createAccount({ name: 'Bench Co', realm });
  const docs = Array.from({ length: DEVICES }, (_, i) => ({
    _id: `dev${String(i).padStart(29, '0')}`,
    pvt_type: 'device',
    sip: { username: `u${i}`, password: `pw-${i}` },
  }));
  const report = await bulkWrite(store.db(accountDbName(accountId)), docs);
  if (report.failed.length > 0) throw new Error(`provisioning failed: ${JSON.stringify(report.failed[0])}`);
  return accountId;
}

async function countRegistrations(store: Store): Promise<number> {
  const info = await store.db(REGISTRATIONS_DB).info();
  return info.doc_count;
}

async function main(): Promise<void> {
  const url = await brokerUrl();
  const dir = await mkdtemp(join(tmpdir(), 'fife-registrar-bench-'));
  const couch = await spawnEmbeddedCouch({ dataDir: join(dir, 'couch') });
  const store = await openStore({ couchUrl: couch.url });
  const realm = `bench-${nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}.example.org`;
  const children: ChildProcess[] = [];
  const prefix = `bench.registrar.${nanoid(6)}`;
  try {
    await provision(store, realm);
    const registrar = await spawnTs(
      join(here, '../src/main.ts'),
      [],
      {
        AMQP_URL: url,
        COUCH_URL: couch.url,
        LOG_LEVEL: 'info',
        NODE_NAME: 'registrar@bench',
        REGISTRAR_QUEUE_PREFIX: prefix,
        REGISTRAR_REALMS: realm,
        REGISTRAR_SWEEP_INTERVAL_MS: '0',
        REGISTRAR_COMPACT_INTERVAL_MS: '0',
      },
      (line) => line.includes('"registrar: ready"'),
    );
    children.push(registrar);
    registrar.stdout!.resume();
    const rawKey = `bench.raw.${nanoid(6)}`;
    children.push(await spawnTs(join(here, 'raw-responder.ts'), [url, 'callmgr', rawKey], {}, (line) => line === 'ready'));
    const requester = await Requester.open(url);
    const authnKey = `authn.req.${encodeSegment(realm)}`;
    const authnBody = (i: number): Reply => ({
      'Event-Category': 'directory',
      'Event-Name': 'authn_req',
      'App-Name': 'ecallmgr',
      'App-Version': '4.3.0',
      Node: 'ecallmgr@bench',
      'Auth-User': `u${i % DEVICES}`,
      'Auth-Realm': realm,
      To: `u${i % DEVICES}@${realm}`,
      From: `u${i % DEVICES}@${realm}`,
      Method: 'password',
      'Orig-IP': '198.51.100.7',
    });
    const viaRegistrar = async (i: number) => {
      const r = await requester.request('callmgr', authnKey, authnBody(i));
      if (r && r.reply['Event-Name'] !== 'authn_resp') throw new Error(`unexpected ${String(r.reply['Event-Name'])}`);
      return r;
    };
    const viaRaw = (i: number) => requester.request('callmgr', rawKey, authnBody(i));

    // Warm-up: every device once through the registrar (the caches are primed at start anyway), and the raw path.
    await Promise.all(Array.from({ length: DEVICES }, (_, i) => viaRegistrar(i)));
    await closedLoop(500, CONCURRENCY, viaRaw);

    // One request at a time: the per-request cost without any queueing.
    const sequential = async (send: (i: number) => Promise<{ ms: number } | undefined>) => {
      const ms: number[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        const r = await send(i);
        if (r) ms.push(r.ms);
      }
      ms.sort((x, y) => x - y);
      return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
    };
    const rawSeq = await sequential(viaRaw);
    const regSeq = await sequential(viaRegistrar);
    const rawPaced = await paced(PACED_RATE, PACED_SECONDS, viaRaw);
    const regPaced = await paced(PACED_RATE, PACED_SECONDS, viaRegistrar);
    const rawRps = await closedLoop(CLOSED_LOOP_MS, CONCURRENCY, viaRaw);
    const regRps = await closedLoop(CLOSED_LOOP_MS, CONCURRENCY, viaRegistrar);

    // reg_success burst: publish as fast as the client can, time until CouchDB holds every binding.
    const before = await countRegistrations(store);
    const regKey = (user: string) => `registration.success.${encodeSegment(realm)}.${encodeSegment(user)}`;
    const regBody = (user: string, n: number): Reply => ({
      'Event-Category': 'directory',
      'Event-Name': 'reg_success',
      'App-Name': 'kamailio',
      'App-Version': '5.6.3',
      'Msg-ID': nanoid(),
      'Event-Timestamp': Math.floor(Date.now() / 1000),
      Contact: `<sip:${user}@10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:5060;transport=udp>`,
      Expires: 3600,
      Username: user,
      Realm: realm,
      Status: 'Registered',
    });
    const burstStart = performance.now();
    for (let n = 0; n < BURST_PHONES; n++) {
      const user = `burst${n}`;
      requester.ch.publish('registrar', regKey(user), Buffer.from(JSON.stringify(regBody(user, n))), { contentType: 'application/json' });
    }
    let stored = 0;
    // Leave room for the storm (~12 s + drain).
    while (stored < BURST_PHONES && left(25_000) > 0) {
      await new Promise((r) => setTimeout(r, 100));
      stored = (await countRegistrations(store)) - before;
    }
    const burstSeconds = (performance.now() - burstStart) / 1000;
    const regPerSecond = stored / burstSeconds;

    // Storm: 10,000 phones, each an authn_req then its reg_success, spread over STORM_SECONDS.
    const stormBefore = await countRegistrations(store);
    const storm = await paced(Math.ceil(STORM_PHONES / STORM_SECONDS), STORM_SECONDS, async (n) => {
      const r = await viaRegistrar(n);
      const user = `storm${n}`;
      requester.ch.publish('registrar', regKey(user), Buffer.from(JSON.stringify(regBody(user, n))), { contentType: 'application/json' });
      return r;
    });
    let stormStored = 0;
    while (stormStored < storm.sent && left() > 0) {
      stormStored = (await countRegistrations(store)) - stormBefore;
      if (stormStored < storm.sent) await new Promise((r) => setTimeout(r, 100));
    }

    const f = (n: number, d = 2) => n.toFixed(d);
    console.log(`registrar benchmark — ${cpus().length} CPUs, node ${process.version}, ${DEVICES} devices, warm caches`);
    console.log(`authn sequential (1 in flight)  raw amqplib: p50 ${f(rawSeq.p50)} ms  p99 ${f(rawSeq.p99)} ms   registrar: p50 ${f(regSeq.p50)} ms  p99 ${f(regSeq.p99)} ms   ratio p50 ×${f(regSeq.p50 / rawSeq.p50)}`);
    console.log(`authn paced ${PACED_RATE}/s × ${PACED_SECONDS}s   raw amqplib: p50 ${f(rawPaced.p50)} ms  p99 ${f(rawPaced.p99)} ms  (${rawPaced.answered}/${rawPaced.sent})`);
    console.log(`                                  registrar:  p50 ${f(regPaced.p50)} ms  p99 ${f(regPaced.p99)} ms  max ${f(regPaced.max)} ms  (${regPaced.answered}/${regPaced.sent})`);
    console.log(`                                  ratio p50 ×${f(regPaced.p50 / rawPaced.p50)}  p99 ×${f(regPaced.p99 / rawPaced.p99)}   target p99 < 5 ms: ${regPaced.p99 < 5 ? 'met' : 'NOT met'}`);
    console.log(`authn closed loop (${CONCURRENCY} in flight)  raw ${f(rawRps, 0)} rt/s   registrar ${f(regRps, 0)} rt/s   ratio ×${f(regRps / rawRps)}`);
    console.log(`reg_success burst: ${stored}/${BURST_PHONES} stored in ${f(burstSeconds)} s = ${f(regPerSecond, 0)} registrations/s   target ≥ 500/s: ${regPerSecond >= 500 ? 'met' : 'NOT met'}`);
    console.log(`storm: ${storm.sent} phones in ${STORM_SECONDS}s  authn answered ${storm.answered}/${storm.sent} (p50 ${f(storm.p50)} ms, p99 ${f(storm.p99)} ms)  registrations stored ${stormStored}/${storm.sent}`);
    console.log('');
    console.log('| date | authn p50 / p99 @1k/s (raw) | authn rt/s (raw) | reg_success stored/s | storm 10k phones: authn answered, stored |');
    console.log('|---|---|---|---|---|');
    console.log(
      `| ${new Date().toISOString().slice(0, 10)} | ${f(regPaced.p50)} / ${f(regPaced.p99)} ms (${f(rawPaced.p50)} / ${f(rawPaced.p99)}) | ${f(regRps, 0)} (${f(rawRps, 0)}, ×${f(regRps / rawRps)}) | ${f(regPerSecond, 0)} | ${storm.answered}/${storm.sent}, ${stormStored}/${storm.sent} |`,
    );
    console.log(`(bench ran ${f((Date.now() - startedAt) / 1000, 1)} s, bounded at ${BUDGET_MS / 1000} s + cleanup)`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    const conn = await amqp.connect(url);
    const ch = await conn.createChannel();
    for (const q of ['authn', 'reg_success', 'reg_query']) await ch.deleteQueue(`${prefix}.${q}`).catch(() => undefined);
    await conn.close();
    await store.close();
    await couch.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
