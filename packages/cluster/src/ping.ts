import pino from 'pino';
import { system } from '@fife/api';
import { Bus } from '@fife/bus';

export type PingReply = Record<string, unknown>;

/** Asks every Fife process on the bus who it is (collect over `system.ping.*`) on a short-lived connection. */
export async function pingAll(url: string, timeoutMs = 1000, app?: string): Promise<{ replies: PingReply[]; ms: number }> {
  const bus = new Bus({
    url,
    identity: { appName: 'fife-cluster', appVersion: '0.1.0', node: `fife-cluster@${process.pid}` },
    logger: pino({ level: 'silent' }),
    reconnect: { maxRetries: 2 },
  });
  await bus.start();
  try {
    const t0 = performance.now();
    const replies = await bus.collect(system.pingReq, app ? { App: app } : {}, { timeoutMs, replies: [system.pingResp] });
    return { replies, ms: performance.now() - t0 };
  } finally {
    await bus.close();
  }
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
