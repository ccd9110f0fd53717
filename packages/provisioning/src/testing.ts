// Test support (not exported from the package): a private RabbitMQ vhost and a store per test file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import pino from 'pino';
import { Bus } from '@fife/bus';
import { openStore, type Store } from '@fife/store';

export async function startBus(url: string, appName: string): Promise<Bus> {
  const bus = new Bus({ url, identity: { appName, appVersion: '0.0.0', node: `${appName}@test` }, logger: pino({ level: 'silent' }) });
  await bus.start();
  await bus.waitUntilUp(10_000);
  return bus;
}

/** Deletes queues a test declared (durable ones would otherwise outlive it and keep their bindings). */
export async function deleteQueues(url: string, queues: string[]): Promise<void> {
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createChannel();
    for (const q of queues) await ch.deleteQueue(q);
    await ch.close();
  } finally {
    await conn.close();
  }
}

export async function tempStore(label: string): Promise<{ store: Store; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `fife-${label}-`));
  const store = await openStore({ dataDir: join(dir, 'couch') });
  return {
    store,
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
