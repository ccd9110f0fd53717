import type { Command } from 'commander';
import { LocalCluster, discoverApps, formatPingTable } from '@fife/cluster';
import { dataDir } from '../paths.js';

interface UpOptions {
  scale: string[];
  check: boolean;
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
    .option('--check', 'start everything, verify every process answers, stop and exit (0 = healthy)', false)
    .option('--ready-timeout <seconds>', 'how long to wait for every process to answer', '90')
    .addHelpText('after', '\nExamples:\n  $ fife up\n  $ fife up --scale registrar=3\n  $ fife up --check   # smoke test: exits 0 when the cluster answered')
    .action(async (opts: UpOptions) => up(opts));
}

async function up(opts: UpOptions): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const apps = discoverApps();
  const scale = parseScale(opts.scale, apps);

  say('fife: making RabbitMQ available ...');
  const cluster = await LocalCluster.start({ dataDir, scale: Object.fromEntries(scale), apps, onEvent: (line) => say(`fife: ${line}`) });

  let stopped = false;
  const shutdown = async (code: number) => {
    if (stopped) return;
    stopped = true;
    say('fife: stopping ...');
    await cluster.stop();
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
  say(`Fife is up: ${answered} processes answered a system/ping_req request over RabbitMQ in ${ms.toFixed(0)} ms (collect window included).`);
  if (opts.check) return shutdown(0);
  say('Try: npx fife status    ·    Ctrl-C stops everything.');
}
