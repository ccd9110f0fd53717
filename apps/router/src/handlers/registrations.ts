import { registration } from '@fife/api';
import { handler, type Bus } from '@fife/bus';
import type { ContactsCache } from '../lookups/contacts-cache.js';

/**
 * Keeps the router's reg_query answers honest: every reg_success (register, refresh, unregister) and
 * reg_flush drops what was cached for that user; a broken bus connection drops everything, since events
 * may have been missed while it was down. One exclusive queue per process: every router sees every event.
 */
export async function watchRegistrations(bus: Bus, contacts: ContactsCache): Promise<void> {
  bus.on('down', () => contacts.clear());
  bus.on('up', () => contacts.clear());
  const queue = `${bus.serverId}.registrations`;
  await bus.consume({
    queue,
    exclusive: true,
    prefetch: 256,
    bindings: [
      { exchange: 'registrar', key: 'registration.success.*.*' },
      { exchange: 'registrar', key: 'registration.flush.*' },
    ],
    handlers: [
      handler(registration.success, (msg) => contacts.changed(msg.Realm, msg.Username)),
      handler(registration.flush, (msg) => (msg.Username ? contacts.changed(msg.Realm, msg.Username) : contacts.clear())),
    ],
  });
}
