import { z } from 'zod';
import { describeUser } from '../caller-id.js';
import type { RoutingDevice, RoutingUser } from '../documents.js';
import { defineModule, thenChild, type ModuleContext } from '../module.js';
import { delayLegs, limitLegs, type Leg, type Terminal } from '../plan.js';
import { busyWithoutCallWaiting, deviceLegs } from '../ring.js';

const DEFAULT_RING_S = 20;

/** Every registered contact of every enabled device of the user. */
export async function userLegs(ctx: ModuleContext<unknown>, user: RoutingUser, devices: RoutingDevice[]): Promise<Leg[]> {
  if (devices.length === 0) ctx.reason(`user ${describeUser(user)} has no devices`);
  const perDevice = await Promise.all(devices.map((device) => deviceLegs(ctx, device)));
  return perDevice.flat();
}

async function forwardTo(ctx: ModuleContext<unknown>, user: RoutingUser, kind: string, number: string): Promise<Terminal> {
  ctx.reason(`${describeUser(user)} forwards ${kind} to ${number}`);
  return ctx.routeNumber(number, `forward ${kind} of ${describeUser(user)}`);
}

/**
 * A forward after `after` seconds: the user's own legs ring `after` s; the target's first step joins
 * the same `,` group from `after` s on (no gap, and a device rejecting early does not end the group),
 * and the target's further steps (its failover: carrier gateways, its own `_` continuation) follow
 * as steps of their own. A target that cannot ring is dropped: the user's devices ring their full time.
 */
function forwardAfterSteps(ctx: ModuleContext<unknown>, own: Leg[], target: Terminal, number: string, after: number, ringS: number): Leg[][] {
  if (target.kind !== 'ring' || target.steps.length === 0) {
    ctx.reason(`forward target ${number} cannot ring (${target.kind === 'fail' ? target.message : target.kind === 'park' ? target.why : 'no legs'}): forward dropped`);
    return [limitLegs(own, ringS)];
  }
  const [first, ...rest] = target.steps;
  if (rest.length > 0) ctx.reason(`forward target ${number}: its first step rings with ${describeCount(own.length)} from ${after} s, then ${rest.length} failover step(s)`);
  return [[...limitLegs(own, after), ...delayLegs(first!, after)], ...rest];
}

function describeCount(n: number): string {
  return n === 1 ? 'the own device' : `the ${n} own legs`;
}

/**
 * Rings all of a user's devices, honouring the user's forwards (immediate, after N seconds, on busy, on
 * unavailable) and call waiting (busy when in a call and call waiting is off).
 */
export const userModule = defineModule({
  name: 'user',
  data: z.looseObject({
    id: z.string().min(1),
    timeout_s: z.number().int().positive().optional(),
  }),
  async run(ctx) {
    const user = await ctx.lookups.user(ctx.accountId, ctx.data.id);
    if (!user) return ctx.fail('UNALLOCATED_NUMBER', `user ${ctx.data.id} does not exist in this account`);
    const who = describeUser(user);
    if (!user.enabled) {
      ctx.reason(`user ${who} is disabled`);
      return (await ctx.branch('unavailable', '_')) ?? ctx.fail('SUBSCRIBER_ABSENT', `user ${who} is disabled`);
    }
    const fwd = user.call_forward ?? {};
    if (fwd.immediate?.enabled) return forwardTo(ctx, user, 'immediately', fwd.immediate.number);

    const devices = await ctx.lookups.userDevices(ctx.accountId, user._id);
    if (user.call_waiting?.enabled === false && (await busyWithoutCallWaiting(ctx, describeUser(user), devices))) {
      if (fwd.busy?.enabled) return forwardTo(ctx, user, 'on busy', fwd.busy.number);
      return (await ctx.branch('busy')) ?? ctx.fail('USER_BUSY', `${who} is busy and call waiting is off`);
    }

    const own = await userLegs(ctx, user, devices);
    if (own.length === 0) {
      ctx.reason(`${who} unavailable: no registered device`);
      if (fwd.unavailable?.enabled) return forwardTo(ctx, user, 'when unavailable', fwd.unavailable.number);
      return (await ctx.branch('unavailable', '_')) ?? ctx.fail('USER_NOT_REGISTERED', `${who} has no registered device`);
    }

    const ringS = ctx.data.timeout_s ?? DEFAULT_RING_S;
    let steps: Leg[][];
    if (fwd.no_answer?.enabled) {
      const after = fwd.no_answer.after_s;
      ctx.reason(`${who} forwards after ${after} s to ${fwd.no_answer.number}: own devices ring ${after} s, then the target`);
      const target = await ctx.routeNumber(fwd.no_answer.number, `forward after ${after} s of ${who}`);
      steps = forwardAfterSteps(ctx, own, target, fwd.no_answer.number, after, ringS);
    } else {
      steps = [limitLegs(own, ringS)];
    }
    // A device that rejects at run time (486) fails the step; the busy forward then takes over.
    if (fwd.busy?.enabled) {
      const target = await forwardTo(ctx, user, 'on busy (when the devices reject)', fwd.busy.number);
      if (target.kind === 'ring') steps.push(...target.steps);
    }
    return thenChild(ctx, steps);
  },
});
