import type { Logger } from 'pino';
import type { ChannelTable } from './channels.js';
import type { FsNode } from './node-pool.js';

/** CCVs worth a `uuid_getvar` each after a reconnect: what channel queries filter on. */
const RESYNC_CCVS = ['Account-ID', 'Authorizing-ID', 'Authorizing-Type', 'Owner-ID', 'Username', 'Realm'];
/** Past this many unknown channels the CCV lookups are skipped (they are sequential api calls). */
const MAX_CCV_LOOKUPS = 200;

/** `{"row_count": 0}` or `{"row_count":2,"rows":[...]}`; anything else is no rows. */
export function channelRows(output: string): Array<Record<string, string>> {
  try {
    const parsed = JSON.parse(output) as { rows?: unknown };
    return Array.isArray(parsed.rows) ? (parsed.rows.filter((r) => r && typeof r === 'object') as Array<Record<string, string>>) : [];
  } catch {
    return [];
  }
}

/**
 * After a reconnect: the node's channels from `show channels as json` (events of calls that started while we
 * were away never came), then their CCVs with `uuid_getvar`. Best effort: failures are logged, never thrown.
 */
export async function resyncChannels(node: FsNode, channels: ChannelTable, log: Logger): Promise<number> {
  try {
    const added = channels.resync(node.name, channelRows(await node.client.api('show channels as json')));
    for (const callId of added.slice(0, MAX_CCV_LOOKUPS)) {
      const ccvs: Record<string, string> = {};
      for (const key of RESYNC_CCVS) {
        const value = await node.client.uuidGetvar(callId, `ecallmgr_${key}`, { timeoutMs: 2000 }).catch(() => undefined);
        if (value) ccvs[key] = value;
      }
      channels.addCcvs(callId, ccvs);
    }
    return added.length;
  } catch (err) {
    log.warn({ err, fsNode: node.name }, 'channel resync failed');
    return 0;
  }
}
