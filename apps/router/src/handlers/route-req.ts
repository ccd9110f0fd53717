import { route, uriParts, type MessageOf } from '@fife/api';
import { handler } from '@fife/bus';
import type { CallInput } from '../domain/evaluate.js';
import { routeRespFields } from '../domain/route-resp.js';
import { withDeadline } from '../lookups/budget.js';
import type { ParkedPlans } from '../service/parked.js';
import type { RouterService } from '../service/router-service.js';

type RouteReq = MessageOf<typeof route.req>;

/** How long finding the account of a carrier call's number may take (the index is warm in normal operation). */
const DID_LOOKUP_MS = 500;

export interface RouteReqDeps {
  service: RouterService;
  parked: ParkedPlans;
  /** Where route_win for parked calls must come (this process's win queue). */
  winQueue: string;
  now: () => Date;
  /** The account of a SIP realm, for requests that carry no Account-ID (calls from outside). */
  accountIdByRealm(realm: string): Promise<string | undefined>;
  /** The account owning a dialed number (DID), for carrier calls whose realm names no account. */
  accountIdByNumber?(dialed: string): Promise<string | undefined>;
  /** Counts outcomes: bridge, park, error, or silent (not ours). */
  onOutcome?: (outcome: 'bridge' | 'park' | 'error' | 'silent') => void;
}

function ccv(msg: RouteReq, key: string): string | undefined {
  const value = msg['Custom-Channel-Vars']?.[key] ?? (msg as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The realm a request was addressed to: where an outside call says which account it is for. */
export function requestRealm(msg: RouteReq): string | undefined {
  const realm = msg['SIP-Request-Host'] || uriParts(msg.Request).realm;
  return realm || undefined;
}

/** The route request as the evaluator sees it, for the account it belongs to. */
export function callInputOf(msg: RouteReq, at: Date, accountId: string): CallInput {
  const from = uriParts(msg.From);
  const authorizingType = ccv(msg, 'Authorizing-Type');
  const deviceId = !authorizingType || authorizingType === 'device' ? ccv(msg, 'Authorizing-ID') : undefined;
  const ownerId = ccv(msg, 'Owner-ID');
  return {
    accountId,
    dialed: dialedOf(msg),
    at,
    callId: msg['Call-ID'],
    caller: {
      ...(deviceId ? { deviceId } : {}),
      ...(ownerId ? { ownerId } : {}),
      username: from.user,
      realm: from.realm,
      ...(msg['Caller-ID-Name'] ? { name: msg['Caller-ID-Name'] } : {}),
      ...(msg['Caller-ID-Number'] ? { number: msg['Caller-ID-Number'] } : {}),
    },
  };
}

/** The dialed number of a request, as the evaluator takes it. */
function dialedOf(msg: RouteReq): string {
  return msg['Destination-Number'] ?? (uriParts(msg.Request).user || msg.Request);
}

/**
 * Whose call it is: the Account-ID it carries; else (a call from outside, the no-account key form) the
 * account whose realm it was sent to; else the account owning the dialed number (a carrier's DID call).
 */
async function accountOf(msg: RouteReq, deps: RouteReqDeps): Promise<string | undefined> {
  const given = ccv(msg, 'Account-ID');
  if (given) return given;
  const realm = requestRealm(msg);
  const byRealm = realm ? await deps.accountIdByRealm(realm) : undefined;
  if (byRealm || !deps.accountIdByNumber) return byRealm;
  // Bounded apart from the routing deadline: a cold index (first carrier call, CouchDB slow) means silence, not a late answer.
  return withDeadline(deps.accountIdByNumber(dialedOf(msg)), DID_LOOKUP_MS, 'DID lookup').catch(() => undefined);
}

/** route_req → route_resp; silent when the account has no callflow for the number (Kazoo's rule). */
export function routeReqHandler(deps: RouteReqDeps) {
  return handler(route.req, async (msg, ctx) => {
    const type = msg['Resource-Type'] ?? 'audio';
    if (type !== 'audio' && type !== 'video') return;
    const accountId = await accountOf(msg, deps);
    if (!accountId) return deps.onOutcome?.('silent');
    const input = callInputOf(msg, deps.now(), accountId);
    const evaluation = await deps.service.route(input);
    ctx.log.debug({ reasons: evaluation.reasons }, 'router: evaluated');
    const decision = evaluation.decision;
    deps.onOutcome?.(decision?.method ?? 'silent');
    if (!decision) return;
    const fields = routeRespFields(decision, { accountId: input.accountId, ...(evaluation.callflowId ? { callflowId: evaluation.callflowId } : {}) });
    if (decision.method === 'park') {
      deps.parked.add(msg['Call-ID'], decision.actions);
      await ctx.reply(route.resp, { ...fields, 'Server-ID': deps.winQueue } as never);
      return;
    }
    await ctx.reply(route.resp, fields as never);
  });
}
