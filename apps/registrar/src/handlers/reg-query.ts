import { registration } from '@fife/api';
import { handler } from '@fife/bus';
import type { RegistrationService } from '../services/registrations.js';

export const regQueryHandler = (registrations: RegistrationService) =>
  handler(registration.query, async (msg, ctx) => {
    if (!msg['Server-ID']) return ctx.log.debug('reg_query without Server-ID: nobody to answer');
    const answer = registrations.query(msg);
    if (answer.kind === 'resp') return ctx.reply(registration.queryResp, answer.fields);
    return ctx.reply(registration.queryError, answer.fields);
  });
