import { get, type Fields } from '../domain/fields.js';
import { ccvsOf } from '../domain/ccv.js';

/** What ecallmgr remembers about a live channel, to answer channel queries (busy devices, call status). */
export interface ChannelInfo {
  callId: string;
  node: string;
  switchHostname?: string;
  direction?: string;
  destination?: string;
  username?: string;
  realm?: string;
  presenceId?: string;
  otherLeg?: string;
  answered: boolean;
  createdMs: number;
  ccvs: Record<string, unknown>;
}

/**
 * Channels seen on this process's nodes, built from CHANNEL_CREATE / ANSWER / BRIDGE / DESTROY. A node that
 * reconnects gets its channels dropped: what ended while the connection was down was never seen.
 */
export class ChannelTable {
  private readonly channels = new Map<string, ChannelInfo>();
  /** Recently destroyed calls, so a resync from FreeSWITCH's (lagging) channel list cannot bring one back. */
  private readonly destroyed = new Set<string>();

  apply(node: string, event: Fields, nowMs = Date.now()): void {
    const name = get(event, 'Event-Name');
    const callId = get(event, 'Unique-ID');
    if (!callId) return;
    if (name === 'CHANNEL_DESTROY' || name === 'CHANNEL_HANGUP_COMPLETE') {
      this.channels.delete(callId);
      this.destroyed.add(callId);
      if (this.destroyed.size > 5000) this.destroyed.delete(this.destroyed.values().next().value!);
      return;
    }
    if (name !== 'CHANNEL_CREATE' && name !== 'CHANNEL_ANSWER' && name !== 'CHANNEL_BRIDGE' && name !== 'CHANNEL_UNBRIDGE') return;
    const known = this.channels.get(callId);
    const ccvs = ccvsOf(event);
    const info: ChannelInfo = known ?? { callId, node, answered: false, createdMs: nowMs, ccvs };
    info.ccvs = { ...info.ccvs, ...ccvs };
    info.switchHostname = get(event, 'FreeSWITCH-Hostname') ?? info.switchHostname;
    info.direction = get(event, 'Call-Direction') ?? info.direction;
    info.destination = get(event, 'Caller-Destination-Number') ?? info.destination;
    info.username = str(info.ccvs.Username) ?? get(event, 'variable_user_name') ?? get(event, 'variable_dialed_user') ?? info.username;
    info.realm = str(info.ccvs.Realm) ?? get(event, 'variable_domain_name') ?? get(event, 'variable_dialed_domain') ?? info.realm;
    info.presenceId = get(event, 'variable_presence_id') ?? info.presenceId;
    if (name === 'CHANNEL_ANSWER' || get(event, 'Answer-State') === 'answered') info.answered = true;
    if (name === 'CHANNEL_BRIDGE') info.otherLeg = get(event, 'Other-Leg-Unique-ID') ?? info.otherLeg;
    if (name === 'CHANNEL_UNBRIDGE') delete info.otherLeg;
    this.channels.set(callId, info);
  }

  /**
   * Channels FreeSWITCH lists (`show channels as json` rows) after a reconnect, for the ones events have not
   * told us about. Returns the call ids added, whose CCVs the caller may fetch.
   */
  resync(node: string, rows: ReadonlyArray<Record<string, string>>, nowMs = Date.now()): string[] {
    const added: string[] = [];
    for (const row of rows) {
      const callId = row.uuid;
      if (!callId || this.channels.has(callId) || this.destroyed.has(callId)) continue;
      const [user, realm] = (row.presence_id ?? '').split('@');
      const created = Number(row.created_epoch);
      this.channels.set(callId, {
        callId,
        node,
        switchHostname: row.hostname || undefined,
        direction: row.direction || undefined,
        destination: row.dest || undefined,
        presenceId: row.presence_id || undefined,
        username: user || undefined,
        realm: realm || undefined,
        answered: row.callstate === 'ACTIVE' || row.callstate === 'HELD',
        createdMs: Number.isFinite(created) && created > 0 ? created * 1000 : nowMs,
        ccvs: {},
      });
      added.push(callId);
    }
    return added;
  }

  /** CCVs learnt after the fact (uuid_getvar after a resync). */
  addCcvs(callId: string, ccvs: Record<string, unknown>): void {
    const info = this.channels.get(callId);
    if (!info) return;
    info.ccvs = { ...ccvs, ...info.ccvs };
    info.username ??= str(info.ccvs.Username);
    info.realm ??= str(info.ccvs.Realm);
  }

  get(callId: string): ChannelInfo | undefined {
    return this.channels.get(callId);
  }

  dropNode(node: string): void {
    for (const [id, info] of this.channels) if (info.node === node) this.channels.delete(id);
  }

  /** Channels of any of these users (in a realm) or devices (Authorizing-ID). */
  ofUsers(query: { usernames: string[]; realm?: string; authorizingIds: string[] }): ChannelInfo[] {
    const users = new Set(query.usernames.map((u) => u.toLowerCase()));
    const devices = new Set(query.authorizingIds);
    const realm = query.realm?.toLowerCase();
    return [...this.channels.values()].filter((c) => {
      const byDevice = typeof c.ccvs['Authorizing-ID'] === 'string' && devices.has(c.ccvs['Authorizing-ID']);
      const byUser = c.username !== undefined && users.has(c.username.toLowerCase()) && (realm === undefined || c.realm?.toLowerCase() === realm);
      return byDevice || byUser;
    });
  }

  get size(): number {
    return this.channels.size;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
