import { z } from 'zod';
import { describeDevice } from '../caller-id.js';
import { defineModule, thenChild } from '../module.js';
import { busyWithoutCallWaiting, deviceLegs } from '../ring.js';

/** Rings one device on every contact it registered; nothing registered → the `_` (unavailable) child. */
export const deviceModule = defineModule({
  name: 'device',
  data: z.looseObject({
    id: z.string().min(1),
    timeout_s: z.number().int().positive().optional(),
  }),
  async run(ctx) {
    const device = await ctx.lookups.device(ctx.accountId, ctx.data.id);
    if (!device) return ctx.fail('UNALLOCATED_NUMBER', `device ${ctx.data.id} does not exist in this account`);
    if (device.call_waiting?.enabled === false && (await busyWithoutCallWaiting(ctx, describeDevice(device), [device]))) {
      return (await ctx.branch('busy')) ?? ctx.fail('USER_BUSY', `${describeDevice(device)} is busy and call waiting is off`);
    }
    const legs = await deviceLegs(ctx, device, { timeoutS: ctx.data.timeout_s });
    if (legs.length > 0) return thenChild(ctx, [legs]);
    const next = await ctx.branch('unavailable', '_');
    if (next) {
      ctx.reason(`device ${describeDevice(device)} unavailable: took the unavailable branch`);
      return next;
    }
    return ctx.fail('USER_NOT_REGISTERED', `device ${describeDevice(device)} is unavailable and the flow has no unavailable branch`);
  },
});
