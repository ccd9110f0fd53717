// route_req → route_resp latency for a device flow at a fixed rate, against the bare AMQP round trip
// (a responder that answers route_req at once) measured in the same run. The router runs as its own
// process, as in production; this process plays ecallmgr and the registrar.
// Run: node --import tsx apps/router/bench/router.bench.ts   (bounded well under 90 s)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { dryRunReq, dryRunResp, route } from '@fife/api';
import { Bus, handler } from '@fife/bus';
import { openStore } from '@fife/store';
import { brokerUrl, repoRoot } from '@fife/testkit';
import { freePort } from '@fife/cluster';
import { Provision } from '../src/testing/provision.js';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = 200;
const REALM = 'bench.example.com';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Open-loop load: one request every 1000/RATE ms whatever the previous ones do, so queueing shows. */
async function paced(send: () => Promise<unknown>, rate: number, seconds: number): Promise<{ latencies: number[]; failures: number; achieved: number }> {
  const total = rate * seconds;
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    inFlight.push(send().then(() => void latencies.push(performance.now() - t0), () => void failures++));
  }
  await Promise.all(inFlight);
  return { latencies, failures, achieved: total / ((performance.now() - started) / 1000) };
}

/** CPU seconds (user + system) a process used so far, from /proc (Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type LookupTotals = Map<string, { sum: number; count: number }>;

/** fife_router_lookup_seconds sum/count per lookup and source, from the router's /metrics. */
async function lookupTotals(metricsUrl: string): Promise<LookupTotals> {
  const text = await (await fetch(metricsUrl)).text();
  const totals: LookupTotals = new Map();
  for (const m of text.matchAll(/^(fife_router_lookup_seconds|fife_handler_duration_seconds)_(sum|count)\{([^}]*)\} (\S+)$/gm)) {
    const labels = Object.fromEntries([...m[3]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    // The handler histogram: delivery of route_req to its ack, i.e. the whole time inside the router.
    if (m[1] === 'fife_handler_duration_seconds' && !String(labels.message).includes('route_req')) continue;
    const key = m[1] === 'fife_handler_duration_seconds' ? `whole route_req handler (${labels.outcome})` : `${labels.lookup} (${labels.source})`;
    const entry = totals.get(key) ?? { sum: 0, count: 0 };
    entry[m[2] as 'sum' | 'count'] = Number(m[4]);
    totals.set(key, entry);
  }
  return totals;
}

/** Per lookup: how many per route and their mean time, between two scrapes. */
function lookupRows(before: LookupTotals, after: LookupTotals, routes: number): string {
  const rows: string[] = [];
  for (const [key, end] of [...after].sort()) {
    const start = before.get(key) ?? { sum: 0, count: 0 };
    const count = end.count - start.count;
    if (count <= 0) continue;
    rows.push(`  ${key}: ${(count / routes).toFixed(2)} per route, mean ${(((end.sum - start.sum) / count) * 1000).toFixed(3)} ms`);
  }
  return rows.join('\n');
}

async function waitForRouter(bus: Bus, accountId: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`router exited with ${child.exitCode}`);
    try {
      await bus.request(dryRunReq, { 'Account-ID': accountId, To: '2000' }, { timeoutMs: 1000, replies: [dryRunResp] });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error('router did not come up within 30 s');
}

async function main(): Promise<void> {
  const hardStop = setTimeout(() => {
    console.error('bench: over 85 s, giving up');
    process.exit(2);
  }, 85_000);
  hardStop.unref();
  const dir = await mkdtemp(join(tmpdir(), 'fife-router-bench-'));
  const amqpUrl = await brokerUrl();
  const store = await openStore({ dataDir: join(dir, 'couch') });
  const bus = new Bus({ url: amqpUrl, identity: { appName: 'ecallmgr', appVersion: 'bench', node: 'ecallmgr@bench' }, logger: pino({ level: 'silent' }) });
  await bus.start();
  let child: ChildProcess | undefined;
  let peers: ChildProcess | undefined;
  try {
    const acme = new Provision(store, await store.createAccount({ name: 'Bench', realm: REALM }));
    const caller = await acme.device('1000');
    const desk = await acme.device('2000');
    await acme.callflow(['2000'], { module: 'device', data: { id: desk } });

    await acme.callflow(['3000'], { module: 'calendar', data: { calendar_id: 'hours' }, children: { open: { module: 'callgroup', data: {} } } });
    peers = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'apps/router/bench/peers.ts')], {
      env: { ...process.env, AMQP_URL: amqpUrl, BENCH_REALM: REALM },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      peers!.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      peers!.once('exit', (code) => reject(new Error(`peers exited with ${code}`)));
    });
    // Baseline: the same route_req answered at once by a bare responder, on a key the router does not bind.
    const baselineResp = { Method: 'bridge', Routes: [{ 'Invite-Format': 'route', Route: 'sip:2000@10.0.0.20:5060' }] };
    await bus.consume({
      queue: `bench-baseline-${process.pid}`,
      exclusive: true,
      bindings: [{ exchange: 'callmgr', key: 'bench.baseline' }],
      handlers: [handler(route.req, (_msg, ctx) => ctx.reply(route.resp, baselineResp as never))],
    });

    const httpPort = await freePort();
    const metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
    // BENCH_ROUTER_ENV="ROUTER_REG_CACHE_MS=0 ROUTER_CALENDAR_CACHE_MS=0" measures the router without its caches.
    const routerEnv = Object.fromEntries((process.env.BENCH_ROUTER_ENV ?? '').split(' ').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
    child = spawn(process.execPath, [...(process.env.BENCH_ROUTER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', process.env.BENCH_ROUTER_MAIN ?? join(repoRoot, 'apps/router/src/main.ts')], {
      env: { ...process.env, AMQP_URL: amqpUrl, COUCH_URL: store.url, LOG_LEVEL: 'warn', ROUTER_QUEUE: `fife.router.bench-${process.pid}`, FIFE_DATA_DIR: dir, HTTP_PORT: String(httpPort), ...routerEnv },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForRouter(bus, acme.accountId, child);

    const request = (routingKey?: string, to = '2000') => () =>
      bus.request(
        route.req,
        {
          'Call-ID': `bench-${Math.random().toString(16).slice(2)}`,
          From: `1000@${REALM}`,
          To: `${to}@${REALM}`,
          Request: `${to}@${REALM}`,
          'Resource-Type': 'audio',
          'Custom-Channel-Vars': { 'Account-ID': acme.accountId, 'Authorizing-ID': caller, 'Authorizing-Type': 'device' },
        } as never,
        { timeoutMs: 2000, replies: [route.resp], ...(routingKey ? { routingKey } : {}) },
      );
    const routed = request();
    const reply = (await routed()) as Record<string, any>;
    if (reply.Method !== 'bridge' || reply.Routes?.[0]?.Route !== 'sip:2000@10.0.0.20:5060') throw new Error(`unexpected route_resp: ${JSON.stringify(reply)}`);
    const grouped = request(undefined, '3000');
    const groupReply = (await grouped()) as Record<string, any>;
    if (groupReply.Method !== 'bridge' || !String(groupReply.Routes?.[0]?.Route).includes(',sofia/internal/sip:2119@')) throw new Error(`unexpected group route_resp: ${JSON.stringify(groupReply)}`);
    for (let i = 0; i < WARMUP; i++) await Promise.all([routed(), request('bench.baseline')(), grouped()]);

    const idleBefore = await cpuSeconds(child.pid!);
    await new Promise((r) => setTimeout(r, 3000));
    const idleShare = ((await cpuSeconds(child.pid!)) - idleBefore) / 3;
    const baseline = await paced(request('bench.baseline'), RATE, SECONDS);
    const cpuBefore = await cpuSeconds(child.pid!);
    const selfBefore = process.cpuUsage();
    const lookupsBefore = await lookupTotals(metricsUrl);
    const router = await paced(routed, RATE, SECONDS);
    const cpuPerRoute = ((await cpuSeconds(child.pid!)) - cpuBefore) * 1000 / (RATE * SECONDS);
    const self = process.cpuUsage(selfBefore);
    const selfShare = (self.user + self.system) / 1e6 / SECONDS;
    const lookupsMiddle = await lookupTotals(metricsUrl);
    const groupCpuBefore = await cpuSeconds(child.pid!);
    const group = await paced(grouped, RATE, SECONDS);
    const groupCpuPerRoute = ((await cpuSeconds(child.pid!)) - groupCpuBefore) * 1000 / (RATE * SECONDS);
    const lookupsAfter = await lookupTotals(metricsUrl);
    const row = (name: string, r: typeof router) =>
      `| ${name} | ${RATE}/s × ${SECONDS} s | ${r.achieved.toFixed(0)} | ${percentile(r.latencies, 50).toFixed(2)} | ${percentile(r.latencies, 99).toFixed(2)} | ${r.failures} |`;
    console.log(`\nrouter: route_req → route_resp, device flow (router in its own process, broker and embedded CouchDB on this box)`);
    console.log('| path | load | achieved req/s | p50 ms | p99 ms | failures |');
    console.log('|---|---|---|---|---|---|');
    console.log(`router: ${process.env.BENCH_ROUTER_MAIN ?? 'apps/router/src/main.ts'}; env: ${process.env.BENCH_ROUTER_ENV || '(defaults: reg_query and calendar answers cached)'}`);
    console.log(row('bare AMQP round trip (baseline)', baseline));
    console.log(row('router, device flow (reg_query + cached callflow)', router));
    console.log(row('router, calendar → 20-member callgroup (stand-in peers)', group));
    console.log(`\nlookups per route, device flow:\n${lookupRows(lookupsBefore, lookupsMiddle, RATE * SECONDS)}`);
    console.log(`lookups per route, calendar → callgroup flow:\n${lookupRows(lookupsMiddle, lookupsAfter, RATE * SECONDS)}`);
    console.log(`\nrouter process CPU: device flow ${cpuPerRoute.toFixed(2)} ms, calendar → callgroup flow ${groupCpuPerRoute.toFixed(2)} ms per route_req (load generator: ${(selfShare * 100).toFixed(0)}% of a core; router idle: ${(idleShare * 100).toFixed(1)}% of a core); load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
    console.log(
      `\nratio router/baseline: device flow p50 ×${(percentile(router.latencies, 50) / percentile(baseline.latencies, 50)).toFixed(2)}, p99 ×${(percentile(router.latencies, 99) / percentile(baseline.latencies, 99)).toFixed(2)}; calendar → callgroup p50 ×${(percentile(group.latencies, 50) / percentile(baseline.latencies, 50)).toFixed(2)}, p99 ×${(percentile(group.latencies, 99) / percentile(baseline.latencies, 99)).toFixed(2)}; target p99 < 20 ms: device ${percentile(router.latencies, 99) < 20 ? 'met' : 'NOT met'}, group ${percentile(group.latencies, 99) < 20 ? 'met' : 'NOT met'}`,
    );
  } finally {
    for (const proc of [child, peers]) {
      if (proc && proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
    }
    await bus.drain(2000).catch(() => undefined);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
