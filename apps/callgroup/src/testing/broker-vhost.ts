import amqp from 'amqplib';
import { brokerCtl, brokerUrl } from '@fife/testkit';

function withVhost(base: string, vhost: string): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}

async function reachable(url: string): Promise<boolean> {
  try {
    const conn = await amqp.connect(url);
    await conn.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * A RabbitMQ virtual host of its own on the test broker (`fife-test-<label>`), so one test file's
 * consumers (the callgroup service, stand-in registrar and ecallmgr) never race with other test
 * files sharing the broker. Created once with rabbitmqctl and kept (rabbitmqctl costs seconds per
 * call); falls back to the plain broker URL when the broker is not the private test node.
 */
export async function privateVhost(label: string): Promise<string> {
  const base = await brokerUrl();
  const vhost = `fife-test-${label}`;
  const url = withVhost(base, vhost);
  if (await reachable(url)) return url;
  try {
    await brokerCtl('add_vhost', vhost).catch(() => '');
    await brokerCtl('set_permissions', '-p', vhost, decodeURIComponent(new URL(base).username) || 'guest', '.*', '.*', '.*');
  } catch {
    return base;
  }
  return url;
}
