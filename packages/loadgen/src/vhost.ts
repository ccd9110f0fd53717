import { brokerCtl, withVhost } from '@fife/testkit';

/**
 * A private virtual host on the local test broker, so a load run shares no queue or binding with any other
 * Fife running on the same broker (a registrar elsewhere would otherwise also answer this run's authn_req).
 * Returns undefined when the broker cannot be administered from here (an external AMQP_URL).
 */
export async function privateVhost(url: string, name: string): Promise<{ url: string; remove(): Promise<void> } | undefined> {
  const user = decodeURIComponent(new URL(url).username || 'guest');
  try {
    await brokerCtl('add_vhost', name);
    await brokerCtl('set_permissions', '-p', name, user, '.*', '.*', '.*');
  } catch {
    return undefined;
  }
  return { url: withVhost(url, name), remove: async () => void (await brokerCtl('delete_vhost', name).catch(() => undefined)) };
}
