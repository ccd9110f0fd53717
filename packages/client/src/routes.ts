import { FifeError, router, type MessageOf } from '@fife/api';
import type { Bus } from '@fife/bus';

type DryRunResp = MessageOf<typeof router.dryRunResp>;

export interface RouteDryRun {
  /** The dialed number (or number@realm). */
  to: string;
  /** The caller as user@realm: its realm names the account, its username the calling device. */
  from?: string;
  /** The account, when `from` does not name it. */
  accountId?: string;
  /** The calling device id (wins over `from`'s username). */
  authorizingId?: string;
  callerIdName?: string;
  callerIdNumber?: string;
  /** Route as if the call came at this instant (calendars); default now, as the router sees it. */
  at?: Date | string;
  timeoutMs?: number;
}

/** A dry run's outcome: the plan the router would answer and every decision behind it, in order. */
export interface RoutePlan {
  result: DryRunResp['Result'];
  accountId?: string;
  callflowId?: string;
  at: string;
  reasons: string[];
  /** The route_resp fields a real route_req would get (absent for no_route). */
  routeResp?: Record<string, unknown>;
  /** park: the call-control commands the router would run after route_win. */
  actions?: Array<Record<string, unknown>>;
  /** The dry_run_resp as received, for callers that want every field. */
  reply: DryRunResp;
}

function instant(at: Date | string): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) throw new FifeError('client.invalid', `routes.dryRun: at is not an instant: ${String(at)}`, { field: 'at' });
  return date.toISOString();
}

/** "Where would this call go, and why?" over the router's dry-run message; nothing rings. */
export class Routes {
  constructor(private readonly bus: Bus) {}

  async dryRun(q: RouteDryRun): Promise<RoutePlan> {
    if (!q.to) throw new FifeError('client.invalid', 'routes.dryRun: `to` (the dialed number) is required', { field: 'to' });
    if (!q.from && !q.accountId) throw new FifeError('client.invalid', 'routes.dryRun: give `from` (user@realm) or `accountId`', { field: 'from' });
    const fields = {
      To: q.to,
      ...(q.from ? { From: q.from } : {}),
      ...(q.accountId ? { 'Account-ID': q.accountId } : {}),
      ...(q.authorizingId ? { 'Authorizing-ID': q.authorizingId } : {}),
      ...(q.callerIdName ? { 'Caller-ID-Name': q.callerIdName } : {}),
      ...(q.callerIdNumber ? { 'Caller-ID-Number': q.callerIdNumber } : {}),
      ...(q.at !== undefined ? { At: instant(q.at) } : {}),
    };
    const reply = (await this.bus.request(router.dryRunReq, fields, {
      timeoutMs: q.timeoutMs ?? 3000,
      replies: [router.dryRunResp],
    })) as DryRunResp;
    return {
      result: reply.Result,
      ...(reply['Account-ID'] ? { accountId: reply['Account-ID'] } : {}),
      ...(reply['Callflow-ID'] ? { callflowId: reply['Callflow-ID'] } : {}),
      at: reply.At,
      reasons: reply.Reasons,
      ...(reply['Route-Resp'] ? { routeResp: reply['Route-Resp'] } : {}),
      ...(reply.Actions ? { actions: reply.Actions } : {}),
      reply,
    };
  }
}
