import { z } from 'zod';
import { describeUser } from '../caller-id.js';
import { defineModule, thenChild } from '../module.js';
import { limitLegs, type Leg } from '../plan.js';
import { userLegs } from './user.js';

/** Rings whoever the on-call calendar names now (all their devices, together). */
export const oncallModule = defineModule({
  name: 'oncall',
  data: z.looseObject({
    calendar_id: z.string().min(1),
    name: z.string().optional(),
    timeout_s: z.number().int().positive().default(30),
  }),
  async run(ctx) {
    const label = ctx.data.name ?? ctx.data.calendar_id;
    let userIds: string[];
    try {
      userIds = (await ctx.lookups.oncall(ctx.accountId, ctx.data.calendar_id, ctx.at)).userIds;
    } catch (err) {
      ctx.reason(`on-call calendar ${label} unknown (${(err as Error).message})`);
      return (await ctx.branch('_')) ?? ctx.fail('NORMAL_TEMPORARY_FAILURE', `on-call calendar ${label} did not answer`);
    }
    if (userIds.length === 0) {
      ctx.reason(`nobody on call in ${label} at ${ctx.at.toISOString()}`);
      return (await ctx.branch('_')) ?? ctx.fail('NO_ANSWER', `nobody is on call in ${label}`);
    }
    // Everyone on call rings together, so their registrations are looked up together too.
    const users = await Promise.all(userIds.map(async (id) => ({ id, user: await ctx.lookups.user(ctx.accountId, id) })));
    const perUser = await Promise.all(
      users.map(async ({ id, user }) => {
        if (!user || !user.enabled) {
          ctx.reason(`on-call user ${id} ${user ? 'is disabled' : 'does not exist'}`);
          return [];
        }
        ctx.reason(`${describeUser(user)} is on call in ${label}`);
        return userLegs(ctx, user, await ctx.lookups.userDevices(ctx.accountId, id));
      }),
    );
    const legs: Leg[] = perUser.flat();
    if (legs.length === 0) {
      return (await ctx.branch('_')) ?? ctx.fail('USER_NOT_REGISTERED', `nobody on call in ${label} has a registered device`);
    }
    return thenChild(ctx, [limitLegs(legs, ctx.data.timeout_s)]);
  },
});
