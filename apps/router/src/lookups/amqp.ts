import { calendar, call, everyChannelResponder, callgroup, genericError, registration, FifeError, GREGORIAN_OFFSET } from '@fife/api';
import type { Bus } from '@fife/bus';
import type { CalendarStatus, CallgroupPlan, CallgroupPlanRequest, Contact } from '../domain/lookups.js';
import { contactUri } from './store.js';
import type { Budget } from './budget.js';

export interface AmqpTimeouts {
  regQueryMs: number;
  channelsMs: number;
  calendarMs: number;
  callgroupMs: number;
}

type Reply = Record<string, unknown>;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function failIfError(reply: Reply, what: string): void {
  if (reply['Event-Category'] === 'error') {
    throw new FifeError('router.lookup_failed', `${what}: ${String(reply['Error-Message'] ?? 'error')}`, { what });
  }
}

/** When a registered contact lapses unless refreshed: Last-Registration + Expires, else now + Expires. */
function contactExpiry(entry: Reply): number | undefined {
  const expires = Number(entry.Expires);
  if (!Number.isFinite(expires) || expires <= 0) return undefined;
  const last = Number(entry['Last-Registration']);
  const fromS = Number.isFinite(last) && last > GREGORIAN_OFFSET ? last - GREGORIAN_OFFSET : Date.now() / 1000;
  return (fromS + expires) * 1000;
}

/** The questions the router asks other whapps over AMQP, each bounded by its timeout and the request's budget. */
export class AmqpAsk {
  constructor(
    private readonly bus: Bus,
    private readonly timeouts: AmqpTimeouts,
  ) {}

  /**
   * reg_query, first answer wins (registrars share one registrations database); undefined = nobody
   * answered. `expiresAt`: the earliest contact expiry (epoch ms) the registrar reported.
   */
  async contacts(realm: string, username: string, budget: Budget): Promise<{ contacts: Contact[]; expiresAt?: number } | undefined> {
    const timeoutMs = budget.timeoutFor(this.timeouts.regQueryMs, 'reg_query');
    const replies = await this.bus.collect(
      registration.query,
      { Realm: realm, Username: username },
      { timeoutMs, count: 1, replies: [registration.queryResp, registration.queryError] },
    );
    const reply = replies[0];
    if (!reply) return undefined;
    if (reply['Event-Name'] === 'reg_query_error') return { contacts: [] };
    const fields = Array.isArray(reply.Fields) ? (reply.Fields as Reply[]) : [];
    const contacts: Contact[] = [];
    let expiresAt: number | undefined;
    for (const entry of fields) {
      const contact = str(entry.Contact);
      if (!contact) continue;
      const expiry = contactExpiry(entry);
      if (expiry !== undefined) expiresAt = Math.min(expiresAt ?? Infinity, expiry);
      const uri = contactUri(contact);
      if (contacts.some((c) => c.uri === uri)) continue;
      const proxyPath = str(entry['Proxy-Path']);
      const node = str(entry['FreeSWITCH-Nodename']) ?? str(entry['Registrar-Node']);
      contacts.push({ uri, ...(proxyPath ? { proxyPath } : {}), ...(node ? { node } : {}) });
    }
    return { contacts, ...(expiresAt !== undefined ? { expiresAt } : {}) };
  }

  /** query_user_channels over every ecallmgr until the deadline: how many calls these users are in. */
  async activeCalls(realm: string, usernames: string[], budget: Budget): Promise<{ calls: number; answered: number }> {
    const timeoutMs = budget.timeoutFor(this.timeouts.channelsMs, 'query_user_channels');
    const replies = await this.bus.collect(
      call.userChannelsReq,
      { Usernames: usernames, Realm: realm, 'Active-Only': true, 'Fife-Reply-Always': true },
      { timeoutMs, replies: [call.userChannelsResp], until: everyChannelResponder },
    );
    const wanted = new Set(usernames.map((u) => u.toLowerCase()));
    const ids = new Set<string>();
    for (const reply of replies) {
      for (const channel of (reply.Channels as Reply[] | undefined) ?? []) {
        const user = str(channel.Username)?.toLowerCase();
        if (user && !wanted.has(user)) continue;
        ids.add(str(channel['Call-ID']) ?? `${ids.size}`);
      }
    }
    return { calls: ids.size, answered: replies.length };
  }

  async calendarStatus(accountId: string, calendarId: string, at: Date, budget: Budget): Promise<CalendarStatus> {
    const timeoutMs = budget.timeoutFor(this.timeouts.calendarMs, 'calendar status');
    const reply = await this.bus.request(
      calendar.statusReq,
      { 'Account-ID': accountId, 'Calendar-ID': calendarId, At: at.toISOString() },
      { timeoutMs, replies: [calendar.statusResp, genericError] },
    );
    failIfError(reply, `calendar ${calendarId}`);
    return {
      status: reply.Status as CalendarStatus['status'],
      ...(str(reply.Until) ? { until: str(reply.Until)! } : {}),
      ...(str(reply.Reason) ? { reason: str(reply.Reason)! } : {}),
    };
  }

  async oncall(accountId: string, calendarId: string, at: Date, budget: Budget): Promise<{ userIds: string[]; untilMs?: number }> {
    const timeoutMs = budget.timeoutFor(this.timeouts.calendarMs, 'on-call calendar');
    const reply = await this.bus.request(
      calendar.oncallReq,
      { 'Account-ID': accountId, 'Calendar-ID': calendarId, At: at.toISOString() },
      { timeoutMs, replies: [calendar.oncallResp, genericError] },
    );
    failIfError(reply, `on-call calendar ${calendarId}`);
    const until = str(reply.Until);
    return { userIds: (reply['User-IDs'] as string[] | undefined) ?? [], ...(until ? { untilMs: Date.parse(until) } : {}) };
  }

  async callgroupPlan(request: CallgroupPlanRequest, budget: Budget): Promise<CallgroupPlan> {
    const timeoutMs = budget.timeoutFor(this.timeouts.callgroupMs, 'callgroup plan');
    const reply = await this.bus.request(
      callgroup.planReq,
      {
        'Account-ID': request.accountId,
        'Called-Number': request.number,
        ...(request.callerNumber ? { 'Caller-ID-Number': request.callerNumber } : {}),
        ...(request.callerName ? { 'Caller-ID-Name': request.callerName } : {}),
        ...(request.callerDeviceId ? { 'Authorizing-ID': request.callerDeviceId } : {}),
        ...(request.callId ? { 'Call-ID': request.callId } : {}),
        // The callgroup whapp bounds its own registrar/ecallmgr lookups by what we can still wait.
        'Stage2-Timeout-Ms': Math.max(1, timeoutMs - 20),
      },
      { timeoutMs, replies: [callgroup.planResp, genericError] },
    );
    failIfError(reply, `callgroup ${request.number}`);
    const rendering = (reply.Rendering ?? {}) as Reply;
    return {
      status: reply.Status as CallgroupPlan['status'],
      legs: Array.isArray(reply['Ring-Plan']) ? reply['Ring-Plan'].length : 0,
      rendering: {
        kind: rendering.kind as CallgroupPlan['rendering']['kind'],
        ...(str(rendering.dial_string) ? { dialString: str(rendering.dial_string)! } : {}),
        ...(str(rendering.cause) ? { cause: str(rendering.cause)! } : {}),
        ...(str(rendering.reason) ? { reason: str(rendering.reason)! } : {}),
      },
      ...(typeof reply['Ends-After-S'] === 'number' ? { endsAfterS: reply['Ends-After-S'] } : {}),
      ...(str(reply['Routing-Error']) ? { error: str(reply['Routing-Error'])! } : {}),
    };
  }
}
