// Helpers for the registrar's integration tests: a real broker, a fresh embedded CouchDB per suite,
// registrar processes (startWhapp) on queues and realms of their own, and a raw AMQP peer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { nanoid } from 'nanoid';
import { startEmbeddedCouch, openStore, type Store } from '@fife/store';
import { brokerUrl, deleteQueues as deleteBrokerQueues } from '@fife/testkit';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import { registrarWhapp, type RegistrarRuntime } from './app.js';
import type { registrarConfig } from './config.js';

export async function tempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `fife-registrar-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** An embedded CouchDB in a fresh folder plus a Store (provisioning) on it; `close` removes both. */
export async function startCouch(label: string): Promise<{ url: string; store: Store; close(): Promise<void> }> {
  const dir = await tempDir(label);
  const couch = await startEmbeddedCouch({ dataDir: join(dir.path, 'couch') });
  const store = await openStore({ couchUrl: couch.url });
  return {
    url: couch.url,
    store,
    async close() {
      await store.close();
      await couch.stop();
      await dir.remove();
    },
  };
}

export interface TestRegistrar {
  app: RunningWhapp<typeof registrarConfig>;
  runtime: RegistrarRuntime;
  stop(): Promise<void>;
}

export async function startRegistrar(env: Record<string, string>): Promise<TestRegistrar> {
  let runtime: RegistrarRuntime | undefined;
  const app = await startWhapp(registrarWhapp({ onReady: (r) => (runtime = r) }), {
    AMQP_URL: await brokerUrl(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HTTP_PORT: '0',
    DRAIN_TIMEOUT_MS: '3000',
    REGISTRAR_COMPACT_INTERVAL_MS: '0',
    NODE_NAME: `registrar-${nanoid(4)}@test`,
    ...env,
  });
  return { app, runtime: runtime!, stop: () => app.stop() };
}

/** A peer speaking raw AMQP (as Kamailio or Kazoo would), listening on `targeted` for its Server-IDs. */
export class RawPeer {
  private constructor(
    private readonly connection: ChannelModel,
    readonly channel: Channel,
    private readonly queue: string,
    private readonly received: Array<Record<string, unknown>>,
  ) {}

  static async open(): Promise<RawPeer> {
    const connection = await amqp.connect(await brokerUrl());
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    const received: Array<Record<string, unknown>> = [];
    await channel.consume(queue, (m) => m && received.push(JSON.parse(m.content.toString('utf8'))), { noAck: true });
    return new RawPeer(connection, channel, queue, received);
  }

  async listen(serverId: string): Promise<void> {
    await this.channel.bindQueue(this.queue, 'targeted', serverId);
  }

  publish(exchange: string, routingKey: string, body: unknown): void {
    this.channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(body)), { contentType: 'application/json' });
  }

  /** How many messages arrived so far: replies are looked for after this mark. */
  get mark(): number {
    return this.received.length;
  }

  /** Every reply with this Msg-ID received within `ms` after `from` (collected, as Kazoo's collect does). */
  async repliesTo(msgId: string, ms: number, untilFirst = true, from = 0): Promise<Array<Record<string, unknown>>> {
    const end = Date.now() + ms;
    for (;;) {
      const got = this.received.slice(from).filter((r) => r['Msg-ID'] === msgId);
      if ((untilFirst && got.length > 0) || Date.now() >= end) return got;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Sends `body` and returns the first reply to its Msg-ID (or undefined after `ms`). */
  async ask(exchange: string, routingKey: string, body: Record<string, unknown>, ms = 2000): Promise<Record<string, unknown> | undefined> {
    await this.listen(String(body['Server-ID']));
    const from = this.mark;
    this.publish(exchange, routingKey, body);
    return (await this.repliesTo(String(body['Msg-ID']), ms, true, from))[0];
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}

/** Durable queues outlive their consumers: tests delete theirs (on the test broker). */
export async function deleteQueues(names: string[]): Promise<void> {
  await deleteBrokerQueues(await brokerUrl(), names);
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started <= timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const uniqueRealm = (label: string): string => `${label}-${nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}.example.org`;

/** A wire message built the way a Kazoo/Kamailio peer would (default headers of its own, its Server-ID form). */
export function peerMessage(
  category: string,
  name: string,
  fields: Record<string, unknown>,
  app: 'ecallmgr' | 'kamailio' = 'ecallmgr',
): Record<string, unknown> {
  const tag = nanoid(8);
  return {
    'Event-Category': category,
    'Event-Name': name,
    'App-Name': app,
    'App-Version': app === 'kamailio' ? '5.6.3' : '4.3.0',
    Node: app === 'kamailio' ? 'kamailio@proxy-test' : 'ecallmgr@fs-test',
    'Msg-ID': nanoid(),
    'Server-ID': app === 'kamailio' ? `kamailio@proxy-test-<1>-targeted-${tag}` : `ecallmgr@fs-test-<0.1.0>-${tag}`,
    ...fields,
  };
}
