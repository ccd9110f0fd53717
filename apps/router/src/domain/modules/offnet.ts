import { z } from 'zod';
import { mayDialOut } from '../caller-id.js';
import { defineModule } from '../module.js';
import { numberForms } from '../numbers.js';

/** Sends the call to a carrier: resources chosen by pattern, gateways in failover order. Dial-out only when allowed. */
export const offnetModule = defineModule({
  name: 'offnet',
  data: z.looseObject({ number: z.string().min(1).optional() }),
  async run(ctx) {
    const permission = mayDialOut(ctx.caller);
    ctx.reason(permission.why);
    if (!permission.allowed) return ctx.fail('OUTGOING_CALL_BARRED', `dial-out refused: ${permission.why}`);
    const forms = ctx.data.number ? numberForms(ctx.data.number, ctx.account.numbering) : ctx.number;
    return ctx.offnet(forms);
  },
});
