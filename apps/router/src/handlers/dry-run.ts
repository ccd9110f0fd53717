import { dryRunReq, dryRunResp, uriParts } from '@fife/api';
import { handler } from '@fife/bus';
import type { CallInput } from '../domain/evaluate.js';
import { commandsOf, routeRespFields } from '../domain/route-resp.js';
import type { RouterService } from '../service/router-service.js';

export interface DryRunDeps {
  service: RouterService;
  now: () => Date;
  accountIdByRealm(realm: string): Promise<string | undefined>;
}

/** router/dry_run_req → the route_resp a call would get, the park commands, and every reason. */
export function dryRunHandler(deps: DryRunDeps) {
  return handler(dryRunReq, async (msg, ctx) => {
    const at = msg.At ? new Date(msg.At) : deps.now();
    const from = msg.From ? uriParts(msg.From) : undefined;
    const accountId = msg['Account-ID'] ?? (from?.realm ? await deps.accountIdByRealm(from.realm) : undefined);
    if (!accountId) {
      const why = from?.realm ? `no account has the realm ${from.realm}` : 'the request names neither Account-ID nor a From realm';
      return ctx.reply(dryRunResp, { Result: 'no_route', At: at.toISOString(), Reasons: [why] });
    }
    const input: CallInput = {
      accountId,
      dialed: uriParts(msg.To).user || msg.To,
      at,
      caller: {
        ...(msg['Authorizing-ID'] ? { deviceId: msg['Authorizing-ID'] } : {}),
        ...(from ? { username: from.user, realm: from.realm } : {}),
        ...(msg['Caller-ID-Name'] ? { name: msg['Caller-ID-Name'] } : {}),
        ...(msg['Caller-ID-Number'] ? { number: msg['Caller-ID-Number'] } : {}),
      },
    };
    const evaluation = await deps.service.route(input);
    const decision = evaluation.decision;
    const context = { accountId, ...(evaluation.callflowId ? { callflowId: evaluation.callflowId } : {}) };
    await ctx.reply(dryRunResp, {
      Result: decision ? decision.method : 'no_route',
      'Account-ID': accountId,
      At: at.toISOString(),
      Reasons: evaluation.reasons,
      ...(evaluation.callflowId ? { 'Callflow-ID': evaluation.callflowId } : {}),
      ...(decision ? { 'Route-Resp': routeRespFields(decision, context) } : {}),
      ...(decision?.method === 'park' ? { Actions: commandsOf(decision.actions) } : {}),
    });
  });
}
