import { z } from 'zod';
import { defineModule } from '../module.js';

/** Continues with another number of the account, evaluated afresh (its callflow, else offnet). */
export const transferModule = defineModule({
  name: 'transfer',
  data: z.looseObject({ number: z.string().min(1) }),
  async run(ctx) {
    return ctx.routeNumber(ctx.data.number, 'transfer');
  },
});
