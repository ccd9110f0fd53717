// Request/response through the real broker: packages/bus against a bare amqplib round trip measured
// in the same run, sequential and paced; each responder runs in its own process, as a whapp would. Run: node --import tsx packages/bus/bench/rpc.bench.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { build } from '@fife/api';
import { brokerUrl } from '@fife/testkit';
import { Bus } from '../src/index.js';
import { ping, pong } from '../src/testing/messages.js';
import { percentile, printTable, type Row } from './stats.js';

const SEQUENTIAL = 3000;
const PACED_RATE = 2000;
const PACED_SECONDS = 3;

type RoundTrip = () => Promise<void>;

/** Starts the responder process and resolves once it consumes. */
async function responder(mode: 'raw' | 'bus', url: string, key: string): Promise<ChildProcess> {
  const file = fileURLToPath(new URL('./responder.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file, mode, url, key], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  return child;
}

async function rawRoundTrip(url: string): Promise<{ call: RoundTrip; close(): Promise<void> }> {
  const key = `bus_test.ping.raw-${nanoid(6)}`;
  const server = await responder('raw', url, key);
  const conn = await amqp.connect(url, { noDelay: true });
  const client = await conn.createChannel();
  const replyQueue = `bench.raw.reply.${nanoid(6)}`;
  await client.assertQueue(replyQueue, { exclusive: true });
  await client.bindQueue(replyQueue, 'targeted', replyQueue);
  const waiting = new Map<string, () => void>();
  await client.consume(replyQueue, (m) => m && waiting.get(JSON.parse(m.content.toString())['Msg-ID'])?.(), { noAck: true });
  const call = () =>
    new Promise<void>((resolve) => {
      const id = nanoid();
      waiting.set(id, () => (waiting.delete(id), resolve()));
      client.publish('fife', key, Buffer.from(JSON.stringify({ 'Msg-ID': id, 'Server-ID': replyQueue, Topic: 'x' })), { contentType: 'application/json' });
    });
  return { call, close: async () => (server.kill('SIGTERM'), await conn.close()) };
}

async function busRoundTrip(url: string): Promise<{ call: RoundTrip; close(): Promise<void> }> {
  const topic = `bus-${nanoid(6)}`;
  const server = await responder('bus', url, `bus_test.ping.${topic}`);
  const requester = new Bus({ url, identity: { appName: 'bench-requester', appVersion: '0', node: 'bench' }, logger: pino({ level: 'silent' }) });
  await requester.start();
  const call = async () => void (await requester.request(ping, { Topic: topic }, { timeoutMs: 5000, replies: [pong] }));
  return { call, close: async () => (server.kill('SIGTERM'), await requester.close()) };
}

async function sequential(call: RoundTrip, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Open-loop load: requests leave on schedule whether or not earlier ones came back. */
async function paced(call: RoundTrip, rate: number, seconds: number): Promise<{ latencies: number[]; achieved: number }> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const tickMs = 10;
  const perTick = (rate * tickMs) / 1000;
  const start = performance.now();
  for (let tick = 0; tick < (seconds * 1000) / tickMs; tick++) {
    const due = start + tick * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (let i = 0; i < perTick; i++) {
      const t0 = performance.now();
      pending.push(call().then(() => void latencies.push(performance.now() - t0)));
    }
  }
  await Promise.all(pending);
  return { latencies, achieved: latencies.length / ((performance.now() - start) / 1000) };
}

async function measure(name: string, make: (url: string) => Promise<{ call: RoundTrip; close(): Promise<void> }>, url: string): Promise<Row> {
  const rt = await make(url);
  await sequential(rt.call, 300); // warm-up
  const seq = await sequential(rt.call, SEQUENTIAL);
  const load = await paced(rt.call, PACED_RATE, PACED_SECONDS);
  await rt.close();
  return {
    name,
    seqP50: percentile(seq, 50),
    seqP99: percentile(seq, 99),
    seqRate: SEQUENTIAL / (seq.reduce((a, b) => a + b, 0) / 1000),
    loadP50: percentile(load.latencies, 50),
    loadP99: percentile(load.latencies, 99),
    loadRate: load.achieved,
  };
}

const url = await brokerUrl();
const raw = await measure('raw amqplib', rawRoundTrip, url);
const bus = await measure('@fife/bus', busRoundTrip, url);
printTable('request/response round trip through RabbitMQ', [raw, bus], PACED_RATE);
console.log(`\nbus/raw p50 ratio: sequential ${(bus.seqP50 / raw.seqP50).toFixed(2)}, at ${PACED_RATE}/s ${(bus.loadP50 / raw.loadP50).toFixed(2)} (target <= 1.15)`);
process.exit(0);
