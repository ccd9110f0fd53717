// Directory fetch → XML latency through ecallmgr (HTTP → authn_req → a registrar answering from memory →
// authn_resp → XML), against the bare AMQP round trip of the same authn_req, both open-loop at the same rate.
//   node --import tsx apps/ecallmgr/bench/xml-curl.bench.ts [rate=500] [seconds=5]
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { nanoid } from 'nanoid';
import pino from 'pino';
import { authn, encodeSegment } from '@fife/api';
import { Bus, handler } from '@fife/bus';
import { brokerUrl } from '@fife/testkit';
import { startWhapp } from '@fife/whapp';
import { ecallmgrWhapp, type EcallmgrRuntime } from '../src/whapp.js';

const rate = Number(process.argv[2] ?? 500);
const seconds = Number(process.argv[3] ?? 5);
const realm = `bench-${nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}.example.com`;
const users = Array.from({ length: 200 }, (_, i) => String(1000 + i));
const hashes = new Map(users.map((u) => [u, createHash('md5').update(`${u}:${realm}:secret${u}`).digest('hex')]));

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
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

function body(user: string): string {
  return new URLSearchParams({
    hostname: 'fs-bench', section: 'directory', tag_name: 'domain', key_name: 'name', key_value: realm,
    'Event-Name': 'REQUEST_PARAMS', 'Core-UUID': 'bench', 'FreeSWITCH-Hostname': 'fs-bench',
    action: 'sip_auth', sip_profile: 'internal', sip_user_agent: 'bench', sip_auth_username: user, sip_auth_realm: realm,
    sip_auth_nonce: nanoid(), sip_auth_uri: `sip:${realm}`, sip_to_user: user, sip_to_host: realm, sip_from_user: user,
    sip_from_host: realm, sip_call_id: nanoid(), sip_auth_response: 'x', sip_auth_method: 'REGISTER', client_port: '5060',
    key: 'id', user, domain: realm, ip: '127.0.0.1',
  }).toString();
}

async function main(): Promise<void> {
  const url = await brokerUrl();
  const log = pino({ level: 'silent' });
  const registrar = new Bus({ url, identity: { appName: 'registrar', appVersion: 'bench', node: 'registrar@bench' }, logger: log });
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
  let runtime: EcallmgrRuntime | undefined;
  const app = await startWhapp(ecallmgrWhapp({ onReady: (r) => (runtime = r) }), {
    AMQP_URL: url, LOG_LEVEL: 'silent', HTTP_PORT: '0', ECALLMGR_XMLCURL_PORT: '0', NODE_NAME: 'ecallmgr@bench',
  });
  const fetchUrl = `${runtime!.xmlCurl.url}/fetch`;
  const requester = new Bus({ url, identity: { appName: 'ecallmgr', appVersion: 'bench', node: 'bare@bench' }, logger: log });
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
  const target = new URL(fetchUrl);
  const viaHttp = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const payload = body(users[i % users.length]!);
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

  const amqp = await openLoop(bare);
  const http = await openLoop(viaHttp);
  const line = (name: string, r: { latencies: number[]; failures: number }) =>
    `${name.padEnd(34)} n=${r.latencies.length} failed=${r.failures} p50=${quantile(r.latencies, 0.5).toFixed(2)} ms p99=${quantile(r.latencies, 0.99).toFixed(2)} ms`;
  console.log(`rate ${rate}/s for ${seconds} s each`);
  console.log(line('bare AMQP authn round trip', amqp));
  console.log(line('xml_curl directory fetch → XML', http));
  console.log(`ratio p50 ${(quantile(http.latencies, 0.5) / quantile(amqp.latencies, 0.5)).toFixed(2)}x, p99 ${(quantile(http.latencies, 0.99) / quantile(amqp.latencies, 0.99)).toFixed(2)}x (targets: p99 < 5 ms, p50 ≤ 1.5x)`);
  agent.destroy();
  await requester.close();
  await app.stop();
  await registrar.close();
  process.exit(0);
}

await main();
