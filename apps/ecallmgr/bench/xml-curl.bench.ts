// Directory fetch → XML latency through ecallmgr (HTTP → authn_req → a registrar answering from memory →
// authn_resp → XML), against the bare AMQP round trip of the same authn_req, both open-loop at the same rate.
//   node --import tsx apps/ecallmgr/bench/xml-curl.bench.ts [rate=500] [seconds=5] [--single-process]
// As in production, the load generator (FreeSWITCH's part), ecallmgr and the registrar stand-in each run in
// their own process; `--single-process` puts all three on one event loop (the harness of the first runs,
// where the generator's own CPU delays ecallmgr). FIFE_BENCH_PROFILE=<dir> CPU-profiles the ecallmgr process.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { nanoid } from 'nanoid';
import pino from 'pino';
import { authn, encodeSegment } from '@fife/api';
import { Bus, handler } from '@fife/bus';
import { brokerUrl } from '@fife/testkit';
import { startWhapp } from '@fife/whapp';
import { ecallmgrWhapp, type EcallmgrRuntime } from '../src/whapp.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const singleProcess = process.argv.includes('--single-process');
const rate = Number(args[0] ?? 500);
const seconds = Number(args[1] ?? 5);
const users = Array.from({ length: 200 }, (_, i) => String(1000 + i));
const silent = pino({ level: 'silent' });

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** The registrar stand-in: answers every authn_req of the realm from memory (a warm cache). */
async function startRegistrar(url: string, realm: string): Promise<Bus> {
  const hashes = new Map(users.map((u) => [u, createHash('md5').update(`${u}:${realm}:secret${u}`).digest('hex')]));
  const registrar = new Bus({ url, identity: { appName: 'registrar', appVersion: 'bench', node: 'registrar@bench' }, logger: silent });
  await registrar.start();
  await registrar.waitUntilUp(10_000);
  await registrar.consume({
    queue: `bench-authn-${nanoid(6)}`,
    exclusive: true,
    prefetch: 256,
    bindings: [{ exchange: 'callmgr', key: `authn.req.${encodeSegment(realm)}` }],
    handlers: [
      handler(authn.req, (msg, ctx) =>
        ctx.reply(authn.resp, { 'Auth-Method': 'a1-hash', 'Auth-Password': hashes.get(msg['Auth-User']) ?? 'x', 'Custom-Channel-Vars': { 'Account-ID': 'bench' } }),
      ),
    ],
  });
  return registrar;
}

async function startEcallmgr(url: string): Promise<{ fetchUrl: string; stop(): Promise<void> }> {
  let runtime: EcallmgrRuntime | undefined;
  const app = await startWhapp(ecallmgrWhapp({ onReady: (r) => (runtime = r) }), {
    AMQP_URL: url, LOG_LEVEL: 'silent', HTTP_PORT: '0', ECALLMGR_XMLCURL_PORT: '0', NODE_NAME: 'ecallmgr@bench',
  });
  return { fetchUrl: `${runtime!.xmlCurl.url}/fetch`, stop: () => app.stop() };
}

/** A child process playing one role; resolves with what it reports once ready. */
function child(role: 'registrar' | 'ecallmgr', env: Record<string, string>): Promise<{ proc: ChildProcess; info: string }> {
  const profile = role === 'ecallmgr' && process.env.FIFE_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FIFE_BENCH_PROFILE}`] : [];
  const proc = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx', ...profile],
    env: { ...process.env, ...env, FIFE_BENCH_ROLE: role },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (info) => resolve({ proc, info: String(info) }));
    proc.once('exit', (code) => reject(new Error(`bench ${role} exited (${code}) before it was ready`)));
  });
}

/** Child side: start the role, report, and stop cleanly when the parent says so. */
async function runRole(role: string): Promise<void> {
  const url = process.env.AMQP_URL!;
  const realm = process.env.FIFE_BENCH_REALM!;
  const stop =
    role === 'registrar'
      ? await startRegistrar(url, realm).then((bus) => (process.send!('ready'), () => bus.close()))
      : await startEcallmgr(url).then((e) => (process.send!(e.fetchUrl), () => e.stop()));
  process.on('message', async (msg) => {
    // 'cpu': how much CPU this process has used so far (µs), so the parent can price each phase per request.
    if (msg === 'cpu') return process.send!({ cpu: process.cpuUsage() });
    await stop();
    process.exit(0);
  });
}

/** Fires `run` at `rate` per second for `seconds`, on schedule (not waiting for answers), returns latencies in ms. */
async function openLoop(run: (i: number) => Promise<void>): Promise<{ latencies: number[]; failures: number }> {
  const total = rate * seconds;
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const t0 = performance.now();
    inflight.push(
      run(i).then(
        () => void latencies.push(performance.now() - t0),
        () => void failures++,
      ),
    );
  }
  await Promise.all(inflight);
  return { latencies: latencies.sort((a, b) => a - b), failures };
}

function body(user: string, realm: string): string {
  return new URLSearchParams({
    hostname: 'fs-bench', section: 'directory', tag_name: 'domain', key_name: 'name', key_value: realm,
    'Event-Name': 'REQUEST_PARAMS', 'Core-UUID': 'bench', 'FreeSWITCH-Hostname': 'fs-bench',
    action: 'sip_auth', sip_profile: 'internal', sip_user_agent: 'bench', sip_auth_username: user, sip_auth_realm: realm,
    sip_auth_nonce: nanoid(), sip_auth_uri: `sip:${realm}`, sip_to_user: user, sip_to_host: realm, sip_from_user: user,
    sip_from_host: realm, sip_call_id: nanoid(), sip_auth_response: 'x', sip_auth_method: 'REGISTER', client_port: '5060',
    key: 'id', user, domain: realm, ip: '127.0.0.1',
  }).toString();
}

/** CPU (user + system, µs) a child has used so far. */
function cpuOf(proc: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (msg: unknown) => {
      const cpu = (msg as { cpu?: NodeJS.CpuUsage }).cpu;
      if (!cpu) return;
      proc.off('message', onMessage);
      resolve(cpu.user + cpu.system);
    };
    proc.on('message', onMessage);
    proc.send('cpu');
  });
}

interface Roles {
  fetchUrl: string;
  /** CPU µs used so far by [ecallmgr, registrar], when they run in their own processes. */
  cpu?(): Promise<[number, number]>;
  stop(): Promise<void>;
}

/** The roles in this process or in children; `stop` ends them all. */
async function startRoles(url: string, realm: string): Promise<Roles> {
  if (singleProcess) {
    const registrar = await startRegistrar(url, realm);
    const ecallmgr = await startEcallmgr(url);
    return { fetchUrl: ecallmgr.fetchUrl, stop: async () => (await ecallmgr.stop(), await registrar.close()) };
  }
  const env = { AMQP_URL: url, FIFE_BENCH_REALM: realm };
  const [registrar, ecallmgr] = await Promise.all([child('registrar', env), child('ecallmgr', env)]);
  const stopChild = (proc: ChildProcess) =>
    new Promise<void>((resolve) => {
      proc.removeAllListeners('exit');
      if (proc.exitCode !== null || !proc.connected) return resolve();
      proc.once('exit', () => resolve());
      proc.send('stop', (err) => err && proc.kill());
    });
  return {
    fetchUrl: ecallmgr.info,
    cpu: () => Promise.all([cpuOf(ecallmgr.proc), cpuOf(registrar.proc)]),
    stop: async () => void (await Promise.all([stopChild(registrar.proc), stopChild(ecallmgr.proc)])),
  };
}

async function main(): Promise<void> {
  const url = await brokerUrl();
  const realm = `bench-${nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}.example.com`;
  const roles = await startRoles(url, realm);
  const requester = new Bus({ url, identity: { appName: 'ecallmgr', appVersion: 'bench', node: 'bare@bench' }, logger: silent });
  await requester.start();
  await requester.waitUntilUp(10_000);

  const bare = (i: number) => {
    const user = users[i % users.length]!;
    return requester
      .request(authn.req, { 'Auth-User': user, 'Auth-Realm': realm, To: `${user}@${realm}`, From: `${user}@${realm}`, Method: 'password' } as never, {
        timeoutMs: 2000,
        replies: [authn.resp],
      })
      .then(() => undefined);
  };
  // Like FreeSWITCH's curl handles: a bounded pool of kept-alive connections.
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const target = new URL(roles.fetchUrl);
  const viaHttp = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const payload = body(users[i % users.length]!, realm);
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => (text.includes('a1-hash') ? resolve() : reject(new Error('no user entry'))));
        },
      );
      req.on('error', reject).end(payload);
    });
  // Warm up both paths (JIT, connections, queues).
  for (let i = 0; i < 200; i++) await Promise.all([bare(i), viaHttp(i)]);

  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const cpu0 = await roles.cpu?.();
  const amqp = await openLoop(bare);
  const cpu1 = await roles.cpu?.();
  const http = await openLoop(viaHttp);
  const cpu2 = await roles.cpu?.();
  const line = (name: string, r: { latencies: number[]; failures: number }) =>
    `${name.padEnd(34)} n=${r.latencies.length} failed=${r.failures} p50=${quantile(r.latencies, 0.5).toFixed(2)} ms p99=${quantile(r.latencies, 0.99).toFixed(2)} ms`;
  console.log(`rate ${rate}/s for ${seconds} s each, ${singleProcess ? 'one process' : 'generator, ecallmgr and registrar in their own processes'}, load average ${load}`);
  console.log(line('bare AMQP authn round trip', amqp));
  console.log(line('xml_curl directory fetch → XML', http));
  console.log(`ratio p50 ${(quantile(http.latencies, 0.5) / quantile(amqp.latencies, 0.5)).toFixed(2)}x, p99 ${(quantile(http.latencies, 0.99) / quantile(amqp.latencies, 0.99)).toFixed(2)}x (targets: p99 < 5 ms, p50 ≤ 1.5x)`);
  if (cpu0 && cpu1 && cpu2) {
    const per = (a: number, b: number, n: number) => `${Math.round((b - a) / n)} µs`;
    console.log(
      `CPU per request: registrar stand-in ${per(cpu0[1], cpu1[1], amqp.latencies.length)} (bare) / ${per(cpu1[1], cpu2[1], http.latencies.length)} (fetch); ` +
        `ecallmgr ${per(cpu1[0], cpu2[0], http.latencies.length)} per fetch (idle during the bare phase: ${per(cpu0[0], cpu1[0], amqp.latencies.length)})`,
    );
  }
  agent.destroy();
  await requester.close();
  await roles.stop();
  process.exit(0);
}

const role = process.env.FIFE_BENCH_ROLE;
if (role) await runRole(role);
else await main();
