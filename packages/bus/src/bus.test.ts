import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { build, isFifeError } from '@fife/api';
import { brokerCtl, brokerUrl } from '@fife/testkit';
import { Bus, handler, retryable, DEAD_LETTER_EXCHANGE } from './index.js';
import { ping, pong } from './testing/messages.js';
import { FifeError } from '@fife/api';

const silent = pino({ level: 'silent' });
let url: string;
const buses: Bus[] = [];

async function newBus(name = `t-${nanoid(4)}`, extra: Partial<ConstructorParameters<typeof Bus>[0]> = {}): Promise<Bus> {
  const bus = new Bus({ url, identity: { appName: name, appVersion: '0', node: `${name}@test` }, logger: silent, ...extra });
  await bus.start();
  buses.push(bus);
  return bus;
}

/** Each test binds only its own topic: the declared binding (`bus_test.ping.*`) would catch every test's pings. */
const only = (topic: string) => [{ exchange: 'fife', key: `bus_test.ping.${topic}` }];

const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

before(async () => {
  url = await brokerUrl();
});
after(async () => {
  await Promise.all(buses.map((b) => b.close()));
});

test('request/response: reply on targeted to the Server-ID with the Msg-ID copied', async () => {
  const topic = nanoid(6);
  const responder = await newBus('responder');
  await responder.consume({
    queue: `test.rr.${topic}`, bindings: only(topic),
    handlers: [handler(ping, (msg, ctx) => ctx.reply(pong, { Responder: 'r1', Seq: msg.Seq }))],
  });
  const requester = await newBus('requester');
  const reply = await requester.request(ping, { Topic: topic, Seq: 7, 'Msg-ID': 'fixed-id-1' }, { timeoutMs: 2000, replies: [pong] });
  assert.equal(reply['Msg-ID'], 'fixed-id-1');
  assert.equal(reply['Event-Name'], 'pong');
  assert.equal(reply.Seq, 7);
  assert.equal(reply['App-Name'], 'responder');
});

test('request with nobody listening fails with a typed timeout after its deadline', async () => {
  const requester = await newBus();
  const started = Date.now();
  await assert.rejects(
    requester.request(ping, { Topic: `nobody-${nanoid(6)}` }, { timeoutMs: 300, replies: [pong] }),
    (err) => isFifeError(err, 'bus.timeout') && (err as FifeError).context.timeoutMs === 300,
  );
  assert.ok(Date.now() - started >= 290);
});

test('collect gathers the replies of 3 responders; stay-silent responders do not count', async () => {
  const topic = nanoid(6);
  for (const name of ['a', 'b', 'c', 'silent']) {
    const bus = await newBus(`collect-${name}`);
    await bus.consume({
      queue: `test.collect.${topic}.${name}`, bindings: only(topic),
      exclusive: true,
      handlers: [handler(ping, async (_msg, ctx) => (name === 'silent' ? undefined : ctx.reply(pong, { Responder: name })))],
    });
  }
  const requester = await newBus();
  const all = await requester.collect(ping, { Topic: topic }, { timeoutMs: 600, replies: [pong] });
  assert.deepEqual(all.map((r) => r.Responder).sort(), ['a', 'b', 'c']);
  const three = await requester.collect(ping, { Topic: topic }, { timeoutMs: 5000, replies: [pong], count: 3 });
  assert.equal(three.length, 3);
  const started = Date.now();
  const untilB = await requester.collect(ping, { Topic: topic }, { timeoutMs: 5000, replies: [pong], until: (got) => got.some((r) => r.Responder === 'b') });
  assert.ok(untilB.some((r) => r.Responder === 'b') && Date.now() - started < 4000, 'until ends the collect before its deadline');
});

test('a deferred reply is used only when no normal reply arrives', async () => {
  const topic = nanoid(6);
  const deferring = await newBus('deferring');
  await deferring.consume({
    queue: `test.defer.${topic}.d`, bindings: only(topic),
    exclusive: true,
    handlers: [handler(ping, (_m, ctx) => ctx.reply(pong, { Responder: 'fallback' }, { defer: true }))],
  });
  const requester = await newBus();
  const alone = await requester.request(ping, { Topic: topic }, { timeoutMs: 400, replies: [pong] });
  assert.equal(alone.Responder, 'fallback');
  const normal = await newBus('normal');
  await normal.consume({
    queue: `test.defer.${topic}.n`, bindings: only(topic),
    exclusive: true,
    handlers: [handler(ping, async (_m, ctx) => {
      await new Promise((r) => setTimeout(r, 50)); // arrives after the deferred one, still wins
      await ctx.reply(pong, { Responder: 'primary' });
    })],
  });
  const both = await requester.request(ping, { Topic: topic }, { timeoutMs: 2000, replies: [pong] });
  assert.equal(both.Responder, 'primary');
});

test('invalid messages are dead-lettered with the reason and never block the queue', async () => {
  const topic = nanoid(6);
  const queue = `test.dlx.${topic}`;
  const seen: number[] = [];
  const consumerBus = await newBus('dlx');
  await consumerBus.consume({ queue, bindings: only(topic), handlers: [handler(ping, (m) => void seen.push(m.Seq ?? -1))] });

  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  const dlq = `test.dlq.${topic}`;
  await ch.assertQueue(dlq, { exclusive: true });
  await ch.bindQueue(dlq, DEAD_LETTER_EXCHANGE, '');
  const key = `bus_test.ping.${topic}`;
  const send = (body: Buffer) => new Promise<void>((res, rej) => ch.publish('fife', key, body, {}, (e) => (e ? rej(e) : res())));
  await send(Buffer.from('{not json'));
  await send(Buffer.from(JSON.stringify({ 'Event-Category': 'bus_test', 'Event-Name': 'ping', Topic: topic }))); // default headers missing
  await send(Buffer.from(JSON.stringify({ 'Event-Category': 'nope', 'Event-Name': 'unknown' })));
  const good = build(ping, { Topic: topic, Seq: 1 }, { appName: 't', appVersion: '0', node: 't@x' });
  await send(Buffer.from(JSON.stringify(good)));

  await until(() => seen.length === 1, 3000, 'the valid message');
  const dead: Array<{ code: unknown; reason: string; body: string }> = [];
  for (let i = 0; i < 50 && dead.length < 3; i++) {
    const m = await ch.get(dlq, { noAck: true });
    if (m && m.properties.headers?.['x-fife-queue'] === queue) {
      dead.push({ code: m.properties.headers['x-fife-code'], reason: String(m.properties.headers['x-fife-reason']), body: m.content.toString() });
    } else if (!m) await new Promise((r) => setTimeout(r, 50));
  }
  await conn.close();
  assert.deepEqual(seen, [1]);
  assert.equal(dead.length, 3);
  assert.deepEqual(dead.map((d) => d.code).sort(), ['api.invalid', 'bus.malformed_body', 'bus.unexpected_message']);
  assert.match(dead.find((d) => d.code === 'api.invalid')!.reason, /App-Name/);
  assert.equal(dead.find((d) => d.code === 'bus.malformed_body')!.body, '{not json', 'the original body is kept byte for byte');
});

test('a transient handler failure is retried, then succeeds', async () => {
  const topic = nanoid(6);
  const bus = await newBus();
  let calls = 0;
  await bus.consume({
    queue: `test.retry.${topic}`, bindings: only(topic),
    handlers: [handler(ping, () => {
      calls++;
      if (calls < 2) throw retryable(new FifeError('store.unavailable', 'CouchDB down'));
    })],
  });
  await bus.publish(ping, build(ping, { Topic: topic }, bus.identity));
  await until(() => calls === 2, 3000, 'the retry');
});

test('competing consumers in 2 processes split the work with nothing duplicated or lost', async () => {
  const queue = `test.compete.${nanoid(6)}`;
  const worker = fileURLToPath(new URL('./testing/worker.ts', import.meta.url));
  const outputs: string[][] = [[], []];
  const procs = [0, 1].map((i) => {
    const p = spawn(process.execPath, ['--import', 'tsx', worker, url, queue, `w${i}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout.setEncoding('utf8').on('data', (d: string) => outputs[i]!.push(...d.split('\n').filter(Boolean)));
    return p;
  });
  try {
    await until(() => outputs.every((o) => o.includes('ready')), 20_000, 'workers to start');
    const bus = await newBus();
    const total = 400;
    // Published straight to the shared queue (default exchange) so the test does not depend on bindings.
    await Promise.all(
      Array.from({ length: total }, (_, seq) =>
        bus.publishRaw('', queue, build(ping, { Topic: 'x', Seq: seq }, bus.identity)),
      ),
    );
    const handled = () => outputs.flatMap((o) => o.filter((l) => l !== 'ready'));
    await until(() => handled().length >= total, 15_000, 'all messages');
    await new Promise((r) => setTimeout(r, 200)); // anything duplicated would show up now
    const seqs = handled().map(Number).sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => i), 'each message handled exactly once');
    const split = outputs.map((o) => o.length - 1);
    assert.ok(split.every((n) => n > total / 10), `both processes took a share: ${split.join('/')}`);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    const conn = await amqp.connect(url);
    const ch = await conn.createChannel();
    await ch.deleteQueue(queue);
    await conn.close();
  }
});

test('after the broker drops every connection, consumers resume and no confirmed message is lost', async () => {
  const topic = nanoid(6);
  const got = new Set<number>();
  const consumer = await newBus('reconnect-consumer', { reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } });
  await consumer.consume({ queue: `test.reconnect.${topic}`, bindings: only(topic), handlers: [handler(ping, (m) => void got.add(m.Seq!))] });
  const producer = await newBus('reconnect-producer', { reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } });
  const publish = (seq: number) => producer.publish(ping, build(ping, { Topic: topic, Seq: seq }, producer.identity), { persistent: true });
  for (let i = 0; i < 50; i++) await publish(i);
  const downs = [consumer, producer].map((b) => new Promise((r) => b.once('down', r)));
  await brokerCtl('close_all_connections', 'fife reconnect test');
  await Promise.all(downs);
  const t0 = Date.now();
  for (let i = 50; i < 100; i++) await publish(i); // waits for the recovered connection
  await until(() => got.size === 100, 15_000, 'all 100 messages after reconnect');
  assert.ok(consumer.isUp && producer.isUp);
  assert.ok(Date.now() - t0 < 10_000, 'recovered within 10 s');
});

test('a mandatory publish nobody is bound to comes back as a typed error', async () => {
  const bus = await newBus();
  const msg = build(ping, { Topic: `unbound-${nanoid(6)}` }, bus.identity);
  await assert.rejects(bus.publish(ping, msg, { mandatory: true }), (err) => isFifeError(err, 'bus.unroutable'));
  await bus.publish(ping, msg); // without mandatory the broker drops it silently, as AMQP does
});
