import { join } from 'node:path';
import type { Command } from 'commander';
import { spawnEmbeddedCouch } from '@fife/store';
import { dataDir } from '../paths.js';
import { ensureBroker } from '../supervisor/broker.js';
import { AppSupervisor, discoverApps } from '../supervisor/apps.js';
import { formatPingTable, pingAll } from '../supervisor/status.js';

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
  const broker = await ensureBroker();
  say(`fife: RabbitMQ   ${broker.url.replace(/:[^:@/]*@/, ':***@')}`);

  let couchUrl = process.env.COUCH_URL;
  let stopCouch = async () => undefined;
  if (!couchUrl) {
    const couch = await spawnEmbeddedCouch({ dataDir: join(dataDir, 'couch') });
    couchUrl = couch.url;
    stopCouch = async () => void (await couch.stop());
    say(`fife: CouchDB    ${couch.url} (embedded PouchDB Server, data in ${join(dataDir, 'couch')})`);
  } else {
    say(`fife: CouchDB    ${couchUrl.replace(/:[^:@/]*@/, ':***@')}`);
  }

  const logDir = join(dataDir, 'logs');
  const env = { ...process.env, AMQP_URL: broker.url, COUCH_URL: couchUrl, FIFE_DATA_DIR: dataDir };
  const supervisor = new AppSupervisor(env, logDir, (line) => say(`fife: ${line}`));
  for (const app of apps) supervisor.start(app, scale.get(app) ?? 1);
  const expected = [...scale.values()].reduce((a, b) => a + b, 0);
  say(`fife: starting ${apps.map((a) => `${a}×${scale.get(a)}`).join(', ')} (logs in ${logDir})`);

  let stopped = false;
  const shutdown = async (code: number) => {
    if (stopped) return;
    stopped = true;
    say('fife: stopping ...');
    await supervisor.stop();
    await stopCouch();
    await broker.stop();
    say('fife: stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  const deadline = Date.now() + Number(opts.readyTimeout) * 1000;
  let last = { replies: [] as Record<string, unknown>[], ms: 0 };
  while (Date.now() < deadline) {
    last = await pingAll(broker.url, 800).catch(() => last);
    if (last.replies.filter((r) => r.Ready).length >= expected) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const ready = last.replies.filter((r) => r.Ready).length;
  say('');
  say(formatPingTable(last.replies));
  say('');
  if (ready < expected) {
    say(`fife: only ${ready} of ${expected} processes answered within ${opts.readyTimeout} s; see ${logDir}`);
    return shutdown(1);
  }
  say(`Fife is up: ${ready} processes answered a system/ping_req request over RabbitMQ in ${last.ms.toFixed(0)} ms (collect window included).`);
  if (opts.check) return shutdown(0);
  say('Try: npx fife status    ·    Ctrl-C stops everything.');
}
