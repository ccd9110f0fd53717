import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { FifeClient } from '@fife/client';
import { LocalCluster, discoverApps, formatPingTable, freePort, type PingReply } from '@fife/cluster';
import type { SimNode } from '@fife/testkit';
import { clusterFile } from '../cli-bus.js';
import { nextCommands } from '../demo/next-commands.js';
import { runDemo, type DemoResult } from '../demo/run-demo.js';
import { keepRegistered, startDemoSim } from '../demo/sim.js';
import { color, isTty, table } from '../output/index.js';
import { dataDir } from '../paths.js';

interface UpOptions {
  scale: string[];
  check: boolean;
  sim: boolean;
  readyTimeout: string;
}

function parseScale(entries: string[], apps: string[]): Map<string, number> {
  const counts = new Map(apps.map((a) => [a, 1]));
  for (const entry of entries) {
    const m = /^([a-z0-9-]+)=(\d+)$/.exec(entry);
    if (!m || !counts.has(m[1]!)) throw new Error(`--scale ${entry}: expected <app>=<count> with app one of ${apps.join(', ')}`);
    counts.set(m[1]!, Number(m[2]));
  }
  return counts;
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start Fife on this machine: RabbitMQ, CouchDB (embedded unless COUCH_URL), every whapp, supervised')
    .option('--scale <app=count...>', 'processes per app (default 1 each)', [])
    .option('--sim', 'the demo: add a simulated FreeSWITCH, a sample account and sample calls, print what happened', false)
    .option('--check', 'start everything, verify (with --sim: every sample call), stop and exit (0 = all good)', false)
    .option('--ready-timeout <seconds>', 'how long to wait for every process to answer', '90')
    .addHelpText(
      'after',
      '\nExamples:\n  $ fife up\n  $ fife up --scale registrar=3\n  $ fife up --sim           # the demo (what `npm start` runs)\n' +
        '  $ fife up --check         # smoke test: exits 0 when the cluster answered\n  $ fife up --sim --check   # exits 0 when every sample call did what it should',
    )
    .action(async (opts: UpOptions) => up(opts, program.commands.map((c) => c.name())));
}

/** ecallmgr #1 serves the simulator's mod_xml_curl; every ecallmgr may hold its ESL (leases pick one). */
function simProcessEnv(eslPort: number, xmlCurlPort: number) {
  return (app: string, index: number): NodeJS.ProcessEnv =>
    app !== 'ecallmgr' ? {} : { ECALLMGR_FS_NODES: `127.0.0.1:${eslPort}`, ECALLMGR_XMLCURL_PORT: index === 1 ? String(xmlCurlPort) : '0' };
}

/** `<dataDir>/cluster.json`: how other `fife` commands find the running cluster. */
function writeClusterFile(cluster: LocalCluster): string {
  const file = clusterFile();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ amqpUrl: cluster.amqpUrl, couchUrl: cluster.couchUrl, pid: process.pid, startedAt: new Date().toISOString() }, null, 2)}\n`);
  return file;
}

async function up(opts: UpOptions, commands: string[]): Promise<void> {
  const screen = new Screen();
  const say = (line: string) => screen.line(line);
  const apps = discoverApps();
  const scale = parseScale(opts.scale, apps);

  let sim: SimNode | undefined;
  let xmlCurlPort = 0;
  if (opts.sim) {
    xmlCurlPort = await freePort();
    sim = await startDemoSim(`http://127.0.0.1:${xmlCurlPort}/fetch`);
    say(`fife: simulated FreeSWITCH ${sim.identity.hostname}: ESL 127.0.0.1:${sim.port}, mod_xml_curl → http://127.0.0.1:${xmlCurlPort}/fetch (ecallmgr)`);
  }

  say('fife: making RabbitMQ available ...');
  const cluster = await LocalCluster.start({
    dataDir,
    scale: Object.fromEntries(scale),
    apps,
    onEvent: (line) => say(`fife: ${line}`),
    ...(sim ? { processEnv: simProcessEnv(sim.port, xmlCurlPort) } : {}),
  });

  let stopped = false;
  let status: LiveStatus | undefined;
  let stopRefreshing: (() => void) | undefined;
  const shutdown = async (code: number) => {
    if (stopped) return;
    stopped = true;
    await status?.stop();
    stopRefreshing?.();
    say('fife: stopping ...');
    rmSync(clusterFile(), { force: true });
    await cluster.stop();
    await sim?.stop();
    say('fife: stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  const { ready, replies, ms } = await cluster.waitReady(Number(opts.readyTimeout) * 1000);
  const answered = replies.filter((r) => r.Ready).length;
  say('');
  say(formatPingTable(replies));
  say('');
  if (!ready) {
    say(`fife: only ${answered} of ${cluster.expected} processes answered within ${opts.readyTimeout} s; see ${cluster.logDir}`);
    return shutdown(1);
  }
  const file = writeClusterFile(cluster);
  say(`Fife is up: ${answered} processes answered a system/ping_req request over RabbitMQ in ${ms.toFixed(0)} ms (collect window included).`);
  say(`fife: wrote ${file} (other fife commands find the cluster there)`);

  if (sim) {
    const result = await demo(cluster, sim, say);
    if (opts.check) return shutdown(result?.ok ? 0 : 1);
    stopRefreshing = keepRegistered(sim);
    say('');
    if (result) say(nextCommands(commands, result.data.supportOpenUntil));
  } else if (opts.check) {
    return shutdown(0);
  } else {
    say('Try: npx fife status    ·    Ctrl-C stops everything.');
  }
  status = new LiveStatus(cluster, screen, sim);
  await status.start();
}

/** The sample data and calls on the fresh cluster; undefined when the demo could not run at all. */
async function demo(cluster: LocalCluster, sim: SimNode, say: (line: string) => void): Promise<DemoResult | undefined> {
  try {
    const result = await runDemo({ amqpUrl: cluster.amqpUrl, dataDir, node: sim, say });
    const good = result.outcomes.filter((o) => o.problems.length === 0).length;
    const summary = `demo: ${good} of ${result.outcomes.length} sample calls did what they should`;
    say(result.ok ? color.ok(summary) : color.bad(summary));
    return result;
  } catch (err) {
    say(color.bad(`demo: failed: ${(err as Error).message} (process logs: ${cluster.logDir})`));
    return undefined;
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** How many terminal rows a line takes once the terminal wraps it. */
function screenRows(line: string): number {
  const width = process.stdout.columns || 80;
  return Math.max(1, Math.ceil(line.replace(ANSI, '').length / width));
}

/**
 * Writes lines to stdout; on a TTY it keeps the live status table as the last thing on screen,
 * erasing it before a new line and drawing it again below.
 */
class Screen {
  private footer: string[] = [];

  line(text: string): void {
    this.erase();
    process.stdout.write(`${text}\n`);
    this.draw();
  }

  setFooter(lines: string[]): void {
    this.erase();
    this.footer = lines;
    this.draw();
  }

  private erase(): void {
    const rows = this.footer.reduce((n, line) => n + screenRows(line), 0);
    if (rows > 0) process.stdout.write(`\x1b[${rows}A\x1b[0J`);
  }

  private draw(): void {
    if (this.footer.length > 0) process.stdout.write(`${this.footer.join('\n')}\n`);
  }
}

const REFRESH_MS = 3000;

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

interface ProcessRow {
  process: string;
  pid: string;
  state: string;
  restarts: number;
  uptime: string;
}

/**
 * Every few seconds: each supervised process's state (ready = answered a ping over the bus), restarts
 * and uptime. A table kept at the bottom of a TTY; plain log lines on state changes otherwise.
 */
class LiveStatus {
  private timer: NodeJS.Timeout | undefined;
  /** One connection for the whole session: the pings every few seconds reuse it. */
  private client: FifeClient | undefined;
  private readonly firstSeen = new Map<number, number>();
  private lastStates = new Map<string, string>();
  private busy = false;
  private stopped = false;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly screen: Screen,
    private readonly sim: SimNode | undefined,
  ) {}

  async start(): Promise<void> {
    this.client = await FifeClient.connect({ url: this.cluster.amqpUrl, appName: 'fife-up', logger: pino({ level: 'silent' }) }).catch(() => undefined);
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (isTty()) this.screen.setFooter([]);
    await this.client?.close().catch(() => undefined);
  }

  private async refresh(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const replies: PingReply[] = (await this.client?.system.processes(undefined, 800).catch(() => undefined)) ?? [];
      if (this.stopped) return;
      const rows = this.rows(replies);
      if (isTty()) this.screen.setFooter(this.render(rows));
      else this.logChanges(rows);
    } finally {
      this.busy = false;
    }
  }

  private rows(replies: PingReply[]): ProcessRow[] {
    const byPid = new Map(replies.map((r) => [Number(r.PID), r]));
    return this.cluster.supervisor.processes.map((p) => {
      const pid = p.child?.pid;
      if (pid !== undefined && !this.firstSeen.has(pid)) this.firstSeen.set(pid, Date.now());
      const reply = pid !== undefined ? byPid.get(pid) : undefined;
      const state = pid === undefined ? 'restarting' : reply?.Ready ? 'ready' : reply ? 'not ready' : 'no answer';
      const uptimeS = reply ? Number(reply['Uptime-Seconds']) : pid !== undefined ? (Date.now() - this.firstSeen.get(pid)!) / 1000 : undefined;
      return { process: `${p.app}#${p.index}`, pid: pid === undefined ? '-' : String(pid), state, restarts: p.restarts, uptime: uptimeS === undefined ? '-' : duration(uptimeS) };
    });
  }

  private render(rows: ProcessRow[]): string[] {
    const paint = (s: string) => (s === 'ready' ? color.ok(s) : s === 'restarting' ? color.bad(s) : color.warn(s));
    const body = table(
      ['PROCESS', 'PID', 'STATE', { header: 'RESTARTS', align: 'right' as const }, { header: 'UPTIME', align: 'right' as const }],
      rows.map((r) => [r.process, r.pid, paint(r.state), r.restarts, r.uptime]),
    );
    const lines = ['', color.dim(`status at ${new Date().toISOString().slice(11, 19)} UTC (every ${REFRESH_MS / 1000} s) · Ctrl-C stops everything`), ...body.split('\n')];
    if (this.sim) {
      const phones = [...this.sim.phones.values()];
      const registered = phones.filter((p) => p.registered).length;
      lines.push(`simulated FreeSWITCH ${this.sim.identity.hostname}: ${registered}/${phones.length} phones registered, ESL 127.0.0.1:${this.sim.port} (${this.sim.eslConnections} connected)`);
    }
    return lines;
  }

  private logChanges(rows: ProcessRow[]): void {
    const now = new Map(rows.map((r) => [r.process, `${r.state} (pid ${r.pid}, restarts ${r.restarts})`]));
    for (const [name, state] of now) if (this.lastStates.get(name) !== state) this.screen.line(`fife: ${name} ${state}`);
    this.lastStates = now;
  }
}
