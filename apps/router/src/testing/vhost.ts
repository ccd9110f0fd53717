import amqp from 'amqplib';
import { brokerCtl, brokerUrl } from '@fife/testkit';

/**
 * A RabbitMQ virtual host of its own on the test broker, so other test files' registrars and
 * responders (same broker, run in parallel) never answer this file's queries. Created once and kept;
 * falls back to the plain broker URL when the broker is not the private test node.
 */
export async function routerVhost(label: string): Promise<string> {
  const base = await brokerUrl();
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(`fife-test-${label}`)}`;
  const candidate = url.toString();
  try {
    await (await amqp.connect(candidate)).close();
    return candidate;
  } catch {
    // not there yet
  }
  try {
    await brokerCtl('add_vhost', `fife-test-${label}`).catch(() => '');
    await brokerCtl('set_permissions', '-p', `fife-test-${label}`, decodeURIComponent(new URL(base).username) || 'guest', '.*', '.*', '.*');
    return candidate;
  } catch {
    return base;
  }
}
