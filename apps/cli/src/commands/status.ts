import amqp from 'amqplib';
import type { Command } from 'commander';
import { registration, system, type MessageOf } from '@fife/api';
import type { Bus } from '@fife/bus';
import { positiveInt, runCli, withCliBus, amqpUrlOrExit } from '../cli-bus.js';
import { color, exitCodes, printJson, stdio, table, type Io } from '../output/index.js';

/**
 * The shared queues of a Fife cluster, by app: the names each whapp consumes from, read from the same
 * environment variables the whapps read, with the same defaults (status.test.ts checks router's,
 * callgroup's and calendar's against their config schemas). A queue with no consumer is work nobody takes.
 */
export function knownQueues(env: NodeJS.ProcessEnv = process.env): Array<{ app: string; queue: string }> {
  const registrar = env.REGISTRAR_QUEUE_PREFIX || 'fife.registrar';
  const router = env.ROUTER_QUEUE || 'fife.router.route_req';
  return [
    { app: 'registrar', queue: `${registrar}.authn` },
    { app: 'registrar', queue: `${registrar}.reg_success` },
    { app: 'registrar', queue: `${registrar}.reg_query` },
    { app: 'router', queue: router },
    { app: 'router', queue: `${router}.dry_run` },
    { app: 'callgroup', queue: env.CALLGROUP_QUEUE || 'fife.callgroup.plan' },
    { app: 'calendar', queue: env.CALENDAR_STATUS_QUEUE || 'fife.calendar.status' },
    { app: 'calendar', queue: env.CALENDAR_ONCALL_QUEUE || 'fife.calendar.oncall' },
    { app: 'ecallmgr', queue: 'fife.ecallmgr.originate' },
  ];
}

export type QueueState =
  | { state: 'ok'; consumers: number; messages: number }
  | { state: 'missing' }
  /** Exclusive to another connection (a lease queue): it exists, its counters are not ours to see. */
  | { state: 'locked' };

/** Passive declares (nothing is created), one channel per failed check since the broker closes it. */
export async function inspectQueues(url: string, names: string[]): Promise<Map<string, QueueState>> {
  const out = new Map<string, QueueState>();
  const conn = await amqp.connect(url, { clientProperties: { connection_name: `fife-cli-status-${process.pid}` } });
  conn.on('error', () => undefined);
  try {
    let ch = await conn.createChannel();
    ch.on('error', () => undefined);
    for (const name of names) {
      try {
        const q = await ch.checkQueue(name);
        out.set(name, { state: 'ok', consumers: q.consumerCount, messages: q.messageCount });
      } catch (err) {
        const code = (err as { code?: number }).code;
        out.set(name, code === 405 ? { state: 'locked' } : { state: 'missing' });
        ch = await conn.createChannel();
        ch.on('error', () => undefined);
      }
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
  return out;
}

type PingResp = MessageOf<typeof system.pingResp>;

export interface FreeswitchNode {
  node: string;
  /** ecallmgr processes (Node) whose ESL connection to it is up / down. */
  upOn: string[];
  downOn: string[];
  /** Some ecallmgr holds the node's lease queue (active/standby); `none` also when leases are off. */
  lease: 'held' | 'none';
}

export interface StatusReport {
  at: string;
  broker: string;
  processes: PingResp[];
  freeswitch: FreeswitchNode[];
  queues: Array<{ app: string; queue: string } & QueueState>;
  registrations: { count: number; registrars: number };
  problems: string[];
}

export interface StatusOptions {
  timeoutMs: number;
  app?: string;
  extraQueues?: string[];
}

const FS_CHECK = 'freeswitch:';
/** ecallmgr's lease of a FreeSWITCH node is this exclusive queue (apps/ecallmgr/src/nodes/lease.ts). */
const leaseQueue = (node: string) => `fife.ecallmgr.lease.${node}`;

/** FreeSWITCH nodes as the ecallmgr processes see them: their `freeswitch:<node>` readiness checks. */
export function freeswitchNodes(processes: PingResp[]): Array<Omit<FreeswitchNode, 'lease'>> {
  const nodes = new Map<string, { upOn: string[]; downOn: string[] }>();
  for (const p of processes) {
    for (const [check, ok] of Object.entries(p.Checks ?? {})) {
      if (!check.startsWith(FS_CHECK)) continue;
      const name = check.slice(FS_CHECK.length);
      const entry = nodes.get(name) ?? { upOn: [], downOn: [] };
      (ok ? entry.upOn : entry.downOn).push(String(p.Node ?? p['App-Name']));
      nodes.set(name, entry);
    }
  }
  return [...nodes].map(([node, v]) => ({ node, ...v })).sort((a, b) => a.node.localeCompare(b.node));
}

/** Everything that makes the cluster unhealthy, one sentence each; empty = healthy. */
export function statusProblems(r: Omit<StatusReport, 'problems'>): string[] {
  const problems: string[] = [];
  if (r.processes.length === 0) problems.push('no Fife process answered system/ping_req');
  for (const p of r.processes) {
    if (p.Ready) continue;
    const failed = Object.entries(p.Checks ?? {}).filter(([, ok]) => !ok).map(([name]) => name);
    problems.push(`${p['App-Name']} ${p.Node ?? ''} is not ready${failed.length ? ` (${failed.join(', ')})` : ''}`);
  }
  for (const n of r.freeswitch) if (n.upOn.length === 0) problems.push(`FreeSWITCH ${n.node}: no ecallmgr has an event-socket connection to it`);
  for (const q of r.queues) {
    if (q.state === 'missing') problems.push(`queue ${q.queue} (${q.app}) does not exist: ${q.app} never started on this broker`);
    else if (q.state === 'ok' && q.consumers === 0) problems.push(`queue ${q.queue} (${q.app}) has no consumer${q.messages ? `: ${q.messages} messages waiting` : ''}`);
  }
  return problems;
}

async function countRegistrations(bus: Bus, timeoutMs: number): Promise<StatusReport['registrations']> {
  const replies = await bus.collect(registration.query, { Realm: 'all', 'Count-Only': true }, { timeoutMs, replies: [registration.queryResp, registration.queryError] });
  // Every registrar reads the same database: the counts agree but for writes in flight, so take the largest.
  return { count: Math.max(0, ...replies.map((r) => Number(r.Count ?? 0))), registrars: replies.length };
}

export async function gatherStatus(url: string, opts: StatusOptions): Promise<StatusReport> {
  const [processes, registrations] = await withCliBus(url, (bus) =>
    Promise.all([
      bus.collect(system.pingReq, opts.app ? { App: opts.app } : {}, { timeoutMs: opts.timeoutMs, replies: [system.pingResp] }) as Promise<PingResp[]>,
      countRegistrations(bus, opts.timeoutMs),
    ]),
  );
  processes.sort((a, b) => `${a['App-Name']} ${a.Node}`.localeCompare(`${b['App-Name']} ${b.Node}`));
  const wanted = [...knownQueues().filter((q) => !opts.app || q.app === opts.app), ...(opts.extraQueues ?? []).map((queue) => ({ app: '-', queue }))];
  const seen = freeswitchNodes(processes);
  const states = await inspectQueues(url, [...wanted.map((q) => q.queue), ...seen.map((n) => leaseQueue(n.node))]);
  const freeswitch = seen.map((n) => ({ ...n, lease: states.get(leaseQueue(n.node))?.state === 'missing' ? ('none' as const) : ('held' as const) }));
  const queues = wanted.map((q) => ({ ...q, ...states.get(q.queue)! }));
  const partial = { at: new Date().toISOString(), broker: redact(url), processes, freeswitch, queues, registrations };
  return { ...partial, problems: statusProblems(partial) };
}

/** The broker URL without its password, for output that ends up in tickets. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export function formatStatus(r: StatusReport): string {
  const state = (ok: boolean, good: string, bad: string) => (ok ? color.ok(good) : color.bad(bad));
  const parts = [
    color.bold(`Components (${r.processes.length} processes)`),
    r.processes.length === 0
      ? color.dim('  no process answered')
      : table(
          ['APP', 'NODE', 'PID', 'STATE', { header: 'UPTIME', align: 'right' }, 'FAILED CHECKS'],
          r.processes.map((p) => [
            p['App-Name'],
            p.Node ?? '',
            p.PID ?? '',
            state(p.Ready, 'ready', 'NOT READY'),
            `${p['Uptime-Seconds']}s`,
            Object.entries(p.Checks ?? {}).filter(([, ok]) => !ok).map(([n]) => n).join(', '),
          ]),
        ),
    '',
    color.bold(`FreeSWITCH nodes (${r.freeswitch.length})`),
    r.freeswitch.length === 0
      ? color.dim('  no ecallmgr reports a FreeSWITCH node')
      : table(
          ['NODE', 'STATE', 'UP ON', 'DOWN ON', 'LEASE'],
          r.freeswitch.map((n) => [n.node, state(n.upOn.length > 0, 'up', 'DOWN'), n.upOn.join(', '), n.downOn.join(', '), n.lease]),
        ),
    '',
    color.bold('Queues'),
    table(
      ['QUEUE', 'APP', { header: 'CONSUMERS', align: 'right' }, { header: 'MESSAGES', align: 'right' }, 'STATE'],
      r.queues.map((q) =>
        q.state === 'ok'
          ? [q.queue, q.app, q.consumers, q.messages, state(q.consumers > 0, 'ok', 'NO CONSUMERS')]
          : [q.queue, q.app, '', '', q.state === 'missing' ? color.bad('MISSING') : 'exclusive'],
      ),
    ),
    '',
    `${color.bold('Registrations')}: ${r.registrations.registrars === 0 ? color.warn('no registrar answered') : `${r.registrations.count} live (answered by ${r.registrations.registrars} registrar${r.registrations.registrars === 1 ? '' : 's'})`}`,
    '',
    r.problems.length === 0 ? color.ok('healthy') : [color.bad(`${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:`), ...r.problems.map((p) => `  - ${p}`)].join('\n'),
  ];
  return `${parts.join('\n')}\n`;
}

/** `fife status`; returns the exit code: 0 healthy, 1 problems found (3 via runCli when the broker is down). */
export async function runStatus(url: string, opts: StatusOptions & { json?: boolean }, io: Io = stdio): Promise<number> {
  const report = await gatherStatus(url, opts);
  if (opts.json) printJson(report, { io });
  else io.out(formatStatus(report));
  return report.problems.length === 0 ? exitCodes.ok : exitCodes.failure;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('the cluster at a glance: processes (ping), FreeSWITCH nodes, shared queues and their consumers, registrations')
    .option('--app <name>', 'only processes and queues of this app')
    .option('--queue <name...>', 'also check these queues (consumers, waiting messages)')
    .option('--timeout <ms>', 'how long to collect answers', positiveInt, 1000)
    .option('--json', 'the report as JSON (problems included)', false)
    .addHelpText(
      'after',
      `
Exit codes: 0 healthy, 1 a problem was found (listed last), 2 no broker configured, 3 broker unreachable.

Examples:
  $ fife status
  $ fife status --app registrar
  $ fife status --json | jq '.queues[] | select(.consumers == 0)'
  $ AMQP_URL=amqp://guest:guest@rabbit1:5672 fife status --timeout 3000`,
    )
    .action((opts: { app?: string; queue?: string[]; timeout: number; json: boolean }) =>
      runCli('status', () => runStatus(amqpUrlOrExit('status'), { timeoutMs: opts.timeout, json: opts.json, ...(opts.app ? { app: opts.app } : {}), ...(opts.queue ? { extraQueues: opts.queue } : {}) })),
    );
}
