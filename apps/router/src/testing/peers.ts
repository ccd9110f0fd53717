import { calendar, call, callgroup, registration } from '@fife/api';
import { handler, type Bus } from '@fife/bus';

export interface PeerWorld {
  /** `user@realm` (lowercase) → registered contacts; absent users are not registered. */
  contacts: Map<string, Array<{ contact: string; proxyPath?: string }>>;
  /** Realms the stand-in registrar answers for (others: silence, like a registrar of another cluster). */
  realms: Set<string>;
  /** `user@realm` → calls in progress. */
  calls: Map<string, number>;
  calendarStatus(calendarId: string, at: Date): { Status: 'open' | 'closed' | 'busy' | 'free'; Until?: string; Reason?: string } | 'silent';
  oncall(calendarId: string, at: Date): string[];
  callgroupPlan(number: string): Record<string, unknown> | 'silent';
  regQueries: number;
  calendarQueries: number;
}

export function emptyPeerWorld(): PeerWorld {
  return {
    contacts: new Map(),
    realms: new Set(),
    calls: new Map(),
    calendarStatus: () => 'silent',
    oncall: () => [],
    callgroupPlan: () => 'silent',
    regQueries: 0,
    calendarQueries: 0,
  };
}

/**
 * Stand-ins for the registrar, calendar, callgroup and ecallmgr whapps: real consumers on the bus
 * answering with the wire format of the real ones, from a world the test controls.
 */
export async function startPeers(bus: Bus, world: PeerWorld, label: string): Promise<void> {
  await bus.consume({
    queue: `router-test-peers-${label}-${process.pid}`,
    exclusive: true,
    handlers: [
      handler(registration.query, async (msg, ctx) => {
        const realm = (msg.Realm ?? '').toLowerCase();
        if (!world.realms.has(realm)) return;
        world.regQueries++;
        const found = world.contacts.get(`${(msg.Username ?? '').toLowerCase()}@${realm}`) ?? [];
        if (found.length === 0) return ctx.reply(registration.queryError, { 'Registrar-Age': 5 });
        await ctx.reply(registration.queryResp, {
          'Registrar-Age': 5,
          Fields: found.map((c) => ({
            Contact: c.contact,
            Username: msg.Username,
            Realm: msg.Realm,
            Expires: 3600,
            ...(c.proxyPath ? { 'Proxy-Path': c.proxyPath } : {}),
          })),
        });
      }),
      handler(calendar.statusReq, async (msg, ctx) => {
        const at = msg.At ? new Date(msg.At) : new Date();
        world.calendarQueries++;
        const status = world.calendarStatus(msg['Calendar-ID'], at);
        if (status === 'silent') return;
        await ctx.reply(calendar.statusResp, { 'Calendar-ID': msg['Calendar-ID'], At: at.toISOString(), 'Active-Events': [], ...status });
      }),
      handler(calendar.oncallReq, async (msg, ctx) => {
        const at = msg.At ? new Date(msg.At) : new Date();
        await ctx.reply(calendar.oncallResp, { 'Calendar-ID': msg['Calendar-ID'], At: at.toISOString(), 'User-IDs': world.oncall(msg['Calendar-ID'], at), 'Active-Events': [] });
      }),
      handler(callgroup.planReq, async (msg, ctx) => {
        const plan = world.callgroupPlan(msg['Called-Number']);
        if (plan === 'silent') return;
        await ctx.reply(callgroup.planResp, { 'Account-ID': msg['Account-ID'], 'Called-Number': msg['Called-Number'], ...plan } as never);
      }),
      handler(call.userChannelsReq, async (msg, ctx) => {
        const realm = (msg.Realm ?? '').toLowerCase();
        const users = msg.Usernames ?? (msg.Username ? [msg.Username] : []);
        const channels = users.flatMap((u) =>
          Array.from({ length: world.calls.get(`${u.toLowerCase()}@${realm}`) ?? 0 }, (_, i) => ({ 'Call-ID': `${u}-call-${i}`, Username: u, Realm: msg.Realm, Answered: true })),
        );
        if (channels.length === 0) return; // ecallmgr stays silent when it has nothing
        await ctx.reply(call.userChannelsResp, { Channels: channels });
      }),
    ],
  });
}
