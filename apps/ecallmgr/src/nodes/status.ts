import { call } from '@fife/api';
import { handler, type Bus, type ConsumeSpec } from '@fife/bus';
import type { ChannelInfo, ChannelTable } from './channels.js';
import type { NodePool } from './node-pool.js';

/** Channels of nodes this process owns, as query replies describe them. */
function channelObject(c: ChannelInfo): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    'Call-ID': c.callId,
    Direction: c.direction,
    Destination: c.destination,
    'Account-ID': c.ccvs['Account-ID'],
    'Authorizing-ID': c.ccvs['Authorizing-ID'],
    'Authorizing-Type': c.ccvs['Authorizing-Type'],
    'Owner-ID': c.ccvs['Owner-ID'],
    'Presence-ID': c.presenceId,
    Username: c.username,
    Realm: c.realm,
    Answered: c.answered,
    'Other-Leg-Call-ID': c.otherLeg,
    'Switch-Hostname': c.switchHostname,
    'Elapsed-Seconds': Math.max(0, Math.floor((Date.now() - c.createdMs) / 1000)),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'));
}

/**
 * Channel queries on this process's own exclusive queue (every ecallmgr must hear every query). A process
 * that knows nothing about the call or users stays silent (Kazoo's behaviour), so collecting requesters just
 * get fewer replies; a query_user_channels with Fife-Reply-Always gets an answer from every process, with
 * the head count of `responders` so the collector knows when it has them all.
 */
export function statusConsumer(
  bus: Bus,
  channels: ChannelTable,
  pool: NodePool,
  owns: (node: string) => boolean = () => true,
  responders: () => number | undefined = () => undefined,
): ConsumeSpec {
  return {
    queue: `${bus.serverId}-status`,
    exclusive: true,
    bindings: [{ exchange: 'callevt', key: 'call.status_req.*' }],
    handlers: [
      handler(call.channelStatusReq, async (msg, ctx) => {
        const c = channels.get(msg['Call-ID']);
        // A standby knows the call too; only the node's lease holder answers, so a collect gets one reply.
        if (!c || !owns(c.node)) return;
        const nodeUp = pool.nodes.find((n) => n.name === c.node)?.up ?? false;
        await ctx.reply(call.channelStatusResp, {
          'Call-ID': c.callId,
          Status: nodeUp ? 'active' : 'tmpdown',
          'Custom-Channel-Vars': c.ccvs,
          'Other-Leg-Call-ID': c.otherLeg,
          Username: c.username,
          Realm: c.realm,
          'Switch-Hostname': c.switchHostname,
        } as never);
      }),
      handler(call.userChannelsReq, async (msg, ctx) => {
        const usernames = [...(msg.Usernames ?? []), ...(msg.Username ? [msg.Username] : [])];
        const found = channels.ofUsers({ usernames, realm: msg.Realm, authorizingIds: msg['Authorizing-IDs'] ?? [] }).filter((c) => owns(c.node));
        const active = msg['Active-Only'] ? found.filter((c) => c.answered) : found;
        const always = msg['Fife-Reply-Always'];
        if (active.length === 0 && !always) return;
        const count = always ? responders() : undefined;
        await ctx.reply(call.userChannelsResp, { Channels: active.map(channelObject), ...(count ? { 'Fife-Responders': count } : {}) } as never);
      }),
    ],
  };
}
