import amqp from 'amqplib';
import { brokerCtl, brokerUrl } from './broker.js';

/** The broker URL with its virtual host (the URL's path, URI-encoded) replaced. */
export function withVhost(url: string, vhost: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(vhost)}`;
  return u.toString();
}

async function reachable(url: string): Promise<boolean> {
  try {
    await (await amqp.connect(url)).close();
    return true;
  } catch {
    return false;
  }
}

/** Deletes queues on the broker at `url` (durable ones outlive the test that declared them); absent ones are fine. */
export async function deleteQueues(url: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const conn = await amqp.connect(url);
  try {
    for (const name of names) {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteQueue(name).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Deletes the `fife.*` queues an earlier run left: a durable queue re-declared with other arguments stops a whapp. */
async function emptyQueues(url: string, vhost: string): Promise<void> {
  const listed = await brokerCtl('list_queues', '-p', vhost, 'name');
  await deleteQueues(url, listed.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('fife.')));
}

/**
 * A RabbitMQ virtual host of one test file's own (`fife-test-<label>`) on the test broker: whapps of
 * other files running in parallel on the same broker share queue names and would answer its requests.
 * Created once with rabbitmqctl and kept (rabbitmqctl costs seconds a call); `empty` also deletes the
 * queues an earlier run left. Falls back to the plain broker URL when the broker is not ours to administer.
 */
export async function testVhost(label: string, options: { empty?: boolean } = {}): Promise<string> {
  const base = await brokerUrl();
  const vhost = `fife-test-${label}`;
  const url = withVhost(base, vhost);
  if (!(await reachable(url))) {
    try {
      await brokerCtl('add_vhost', vhost).catch(() => '');
      await brokerCtl('set_permissions', '-p', vhost, decodeURIComponent(new URL(base).username) || 'guest', '.*', '.*', '.*');
    } catch {
      return base;
    }
  }
  if (options.empty) await emptyQueues(url, vhost);
  return url;
}
