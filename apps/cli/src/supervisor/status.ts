import { system } from '@fife/api';
import { withCliBus } from '../cli-bus.js';

export type PingReply = Record<string, unknown>;

/** Asks every Fife process on the bus who it is (collect over `system.ping.*`). */
export async function pingAll(url: string, timeoutMs = 1000, app?: string): Promise<{ replies: PingReply[]; ms: number }> {
  return withCliBus(url, async (bus) => {
    const t0 = performance.now();
    const replies = await bus.collect(system.pingReq, app ? { App: app } : {}, { timeoutMs, replies: [system.pingResp] });
    return { replies, ms: performance.now() - t0 };
  });
}

export function formatPingTable(replies: PingReply[]): string {
  const rows = replies
    .map((r) => [String(r['App-Name']), String(r.Node ?? ''), String(r.PID ?? ''), r.Ready ? 'ready' : 'NOT READY', `${r['Uptime-Seconds']}s`, String(r['Metrics-URL'] ?? '')])
    .sort((a, b) => a.join().localeCompare(b.join()));
  const head = ['APP', 'NODE', 'PID', 'STATE', 'UPTIME', 'METRICS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
