import { authn } from '@fife/api';
import { handler } from '@fife/bus';
import type { Authenticator } from '../services/authenticator.js';

/**
 * authn_req → authn_resp, or authn_err flagged Defer-Response (as Kazoo's registrar sends it), or
 * silence. When CouchDB cannot tell (and nothing is cached) the registrar stays silent: a wrong
 * rejection would be cached by Kamailio, while silence only makes the requester time out.
 */
export const authnReqHandler = (auth: Authenticator) => {
  // During a CouchDB outage every uncached user fails the same way: one line per 5 s, with a count.
  let lastWarnAt = 0;
  let unanswered = 0;
  return handler(authn.req, async (msg, ctx) => {
    if (!msg['Server-ID']) return ctx.log.debug('authn_req without Server-ID: nobody to answer');
    let decision;
    try {
      decision = await auth.authenticate(msg);
    } catch (err) {
      unanswered++;
      if (Date.now() - lastWarnAt < 5000) return;
      lastWarnAt = Date.now();
      ctx.log.warn({ err, realm: msg['Auth-Realm'], user: msg['Auth-User'], unansweredSinceLastWarning: unanswered }, 'authn_req not answered: credentials unavailable');
      unanswered = 0;
      return;
    }
    if (decision.kind === 'credentials') return ctx.reply(authn.resp, decision.reply);
    if (decision.kind === 'deny') {
      ctx.log.info({ reason: decision.reason, realm: msg['Auth-Realm'], user: msg['Auth-User'], requester: msg['App-Name'] }, 'authn_req denied');
      return ctx.reply(authn.err, {}, { defer: true });
    }
    ctx.log.debug({ reason: decision.reason, realm: msg['Auth-Realm'] }, 'authn_req left to others');
  });
};
