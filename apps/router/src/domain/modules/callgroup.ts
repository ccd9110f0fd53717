import { z } from 'zod';
import { describeDevice, internalCallerId } from '../caller-id.js';
import { defineModule } from '../module.js';
import type { HangupCause, Terminal } from '../plan.js';
import type { ModuleContext } from '../module.js';

const statusCause: Record<string, HangupCause> = {
  busy: 'USER_BUSY',
  offline: 'USER_NOT_REGISTERED',
  noroute: 'UNALLOCATED_NUMBER',
  error: 'NORMAL_TEMPORARY_FAILURE',
};

async function notRinging(ctx: ModuleContext<unknown>, status: string, message: string): Promise<Terminal> {
  const keys = status === 'busy' ? ['busy', '_'] : status === 'offline' ? ['unavailable', '_'] : ['_'];
  const next = await ctx.branch(...keys);
  if (next) return next;
  return ctx.fail(statusCause[status] ?? 'NORMAL_TEMPORARY_FAILURE', message);
}

/**
 * Asks the callgroup whapp for the group's ring plan and uses its FreeSWITCH rendering as one leg
 * (`Invite-Format: route`, the dial string verbatim). Busy / offline plans take the busy / unavailable child.
 */
export const callgroupModule = defineModule({
  name: 'callgroup',
  data: z.looseObject({ number: z.string().min(1).optional() }),
  async run(ctx) {
    const number = ctx.data.number ?? ctx.number.dialed;
    const cid = internalCallerId(ctx.caller, ctx.masquerade);
    let plan;
    try {
      plan = await ctx.lookups.callgroupPlan({
        accountId: ctx.accountId,
        number,
        ...(cid.number ? { callerNumber: cid.number } : {}),
        ...(cid.name ? { callerName: cid.name } : {}),
        ...(ctx.caller.device ? { callerDeviceId: ctx.caller.device._id } : {}),
        ...(ctx.callId ? { callId: ctx.callId } : {}),
      });
    } catch (err) {
      ctx.reason(`callgroup ${number}: no plan (${(err as Error).message})`);
      return notRinging(ctx, 'error', `callgroup ${number}: the callgroup whapp did not answer`);
    }
    const by = ctx.caller.device ? ` for ${describeDevice(ctx.caller.device)}` : '';
    if (plan.status !== 'ringing') {
      ctx.reason(`callgroup ${number}${by}: ${plan.status}${plan.error ? ` (${plan.error})` : ''}`);
      return notRinging(ctx, plan.status, `callgroup ${number} is ${plan.status}`);
    }
    const rendering = plan.rendering;
    if ((rendering.kind === 'bridge' || rendering.kind === 'enterprise') && rendering.dialString) {
      ctx.reason(`callgroup ${number}${by}: ${plan.legs} leg(s), ${rendering.kind} dial string`);
      return {
        kind: 'ring',
        steps: [[{ inviteFormat: 'route', route: rendering.dialString, toDid: number, callerId: cid, ccvs: { 'Account-ID': ctx.accountId }, label: `callgroup ${number}` }]],
      };
    }
    ctx.reason(`callgroup ${number}: plan needs ${rendering.kind}${rendering.reason ? ` (${rendering.reason})` : ''}, which the router cannot run`);
    return notRinging(ctx, 'error', `callgroup ${number} needs live call control (${rendering.kind}), not supported by the router`);
  },
});
