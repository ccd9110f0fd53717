import { isTrue, registration } from '@fife/api';
import { handler } from '@fife/bus';
import type { CredentialDirectory } from '../couch/credential-directory.js';
import type { RegistrationService } from '../services/registrations.js';

/**
 * reg_flush reaches every process (each has its own queue): each drops its cached credentials for the
 * realm/user and, unless `Cache-Only: "true"` (Kamailio's flag), removes the bindings, as Kazoo's
 * registrars drop theirs. Removals from several processes at once are idempotent.
 */
export const regFlushHandler = (directory: CredentialDirectory, registrations: RegistrationService) =>
  handler(registration.flush, async (msg, ctx) => {
    directory.flush(msg.Realm, msg.Username);
    if (isTrue(msg['Cache-Only'])) return;
    const removed = await registrations.flush(msg.Realm, msg.Username);
    ctx.log.info({ realm: msg.Realm, user: msg.Username, removed }, 'reg_flush: bindings removed');
  });
