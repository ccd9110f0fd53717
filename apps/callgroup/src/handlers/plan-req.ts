import { FifeError, callgroup, genericError } from '@fife/api';
import { handler } from '@fife/bus';
import type { Planner } from '../service/planner.js';

/** Event-Name of the error reply (kz_api:publish_error style: the operation that failed). */
export const PLAN_ERROR_NAME = 'callgroup_plan';

/** plan_req → plan_resp; anything that prevents a plan is answered with error/callgroup_plan naming it. */
export function planReqHandler(planner: Planner) {
  return handler(callgroup.planReq, async (msg, ctx) => {
    let reply;
    try {
      reply = await planner.plan(msg, ctx.log);
    } catch (err) {
      const error = err instanceof FifeError ? err : new FifeError('callgroup.failed', (err as Error)?.message ?? String(err), {}, { cause: err });
      ctx.log.warn({ err: error, accountId: msg['Account-ID'], called: msg['Called-Number'] }, 'callgroup: plan refused');
      await ctx.reply(genericError, {
        'Event-Name': PLAN_ERROR_NAME,
        'Error-Message': `${error.code}: ${error.message}`,
        Request: msg,
        ...(msg['Call-ID'] ? { 'Call-ID': msg['Call-ID'] } : {}),
      } as never);
      return;
    }
    await ctx.reply(callgroup.planResp, reply);
  });
}
