import { z } from 'zod';
import { defineModule } from '../module.js';
import { hangupCauses, type HangupCause } from '../plan.js';

const causes = Object.keys(hangupCauses) as [HangupCause, ...HangupCause[]];

/** Ends the call with a cause (→ SIP code through route_resp error, or a hangup after media). */
export const hangupModule = defineModule({
  name: 'hangup',
  data: z.looseObject({ cause: z.enum(causes).default('NORMAL_CLEARING') }),
  async run(ctx) {
    return ctx.fail(ctx.data.cause, `flow hangs up with ${ctx.data.cause}`);
  },
});
