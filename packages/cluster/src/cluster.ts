import { join } from 'node:path';
import { spawnEmbeddedCouch, type EmbeddedCouchProcess } from '@fife/store';
import { ensureBroker } from './broker.js';
import { pingAll, type PingReply } from './ping.js';
import { AppSupervisor, discoverApps } from './supervisor.js';

export type LocalClusterOptions = {
  /** Where the embedded CouchDB keeps its data and every process its log (`<dataDir>/logs`). */
  dataDir: string;
  /** Processes per app; apps not named run one process. */
  scale?: Record<string, number>;
  /** Which apps to run (default: every app with a `src/main.ts`). */
  apps?: string[];
  /** Base environment of every process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Use this broker instead of AMQP_URL / a private local node. */
  amqpUrl?: string;
  /** Use this CouchDB instead of COUCH_URL / the embedded server. */
  couchUrl?: string;
  /** Extra variables for one process; wins over the defaults (see `defaultProcessEnv`). */
  processEnv?: (app: string, index: number) => NodeJS.ProcessEnv;
  onEvent?: (line: string) => void;
};

/**
 * Per-process variables a one-machine cluster needs: every ecallmgr process gets its own mod_xml_curl
 * port (8081, 8082, …) so `--scale ecallmgr=2` does not collide; ECALLMGR_XMLCURL_PORT sets the first.
 */
export function defaultProcessEnv(env: NodeJS.ProcessEnv, app: string, index: number): NodeJS.ProcessEnv {
  if (app !== 'ecallmgr') return {};
  const first = Number(env.ECALLMGR_XMLCURL_PORT ?? 8081);
  return { ECALLMGR_XMLCURL_PORT: first === 0 ? '0' : String(first + index - 1) };
}

const redact = (url: string) => url.replace(/:[^:@/]*@/, ':***@');

/**
 * Fife on one machine: a broker (given, AMQP_URL, or a private node), CouchDB (given, COUCH_URL, or the
 * embedded server in its own process so it can be stopped and restarted), and N supervised processes
 * of every app. Used by `fife up`, the cluster tests and the load benchmark.
 */
export class LocalCluster {
  private couch?: EmbeddedCouchProcess;
  private couchPort = 0;

  private constructor(
    readonly amqpUrl: string,
    public couchUrl: string,
    readonly logDir: string,
    readonly supervisor: AppSupervisor,
    readonly expected: number,
    private readonly stopBroker: () => Promise<void>,
    private readonly couchDataDir: string | undefined,
  ) {}

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const say = options.onEvent ?? (() => undefined);
    const baseEnv = options.env ?? process.env;
    const broker = options.amqpUrl ? { url: options.amqpUrl, stop: async () => undefined } : await ensureBroker();
    say(`RabbitMQ   ${redact(broker.url)}`);

    const externalCouch = options.couchUrl ?? baseEnv.COUCH_URL;
    const couchDataDir = externalCouch ? undefined : join(options.dataDir, 'couch');
    const apps = options.apps ?? discoverApps();
    const counts = new Map(apps.map((app) => [app, options.scale?.[app] ?? 1]));
    const logDir = join(options.dataDir, 'logs');
    const env = { ...baseEnv, AMQP_URL: broker.url, FIFE_DATA_DIR: options.dataDir };
    const supervisor: AppSupervisor = new AppSupervisor({
      env,
      logDir,
      onEvent: say,
      processEnv: (app, index): NodeJS.ProcessEnv => ({ ...defaultProcessEnv(env, app, index), ...options.processEnv?.(app, index), COUCH_URL: cluster.couchUrl }),
    });
    const expected = [...counts.values()].reduce((a, b) => a + b, 0);
    const cluster: LocalCluster = new LocalCluster(broker.url, externalCouch ?? '', logDir, supervisor, expected, broker.stop, couchDataDir);
    if (couchDataDir) await cluster.startCouch();
    say(`CouchDB    ${externalCouch ? redact(externalCouch) : `${cluster.couchUrl} (embedded PouchDB Server, data in ${couchDataDir})`}`);
    for (const [app, count] of counts) supervisor.start(app, count);
    say(`starting ${[...counts].map(([a, n]) => `${a}×${n}`).join(', ')} (logs in ${logDir})`);
    return cluster;
  }

  /** Starts the embedded CouchDB again (on its previous port, so running processes find it). */
  async startCouch(): Promise<void> {
    if (!this.couchDataDir) throw new Error('this cluster uses an external CouchDB');
    this.couch = await spawnEmbeddedCouch({ dataDir: this.couchDataDir, port: this.couchPort });
    this.couchPort = this.couch.port;
    this.couchUrl = this.couch.url;
  }

  /** Stops the embedded CouchDB (fault injection); `startCouch` brings it back. */
  async stopCouch(): Promise<void> {
    await this.couch?.stop();
    this.couch = undefined;
  }

  /** Pings until `expected` processes (default: all) answer ready, or the deadline passes. */
  async waitReady(timeoutMs: number, expected = this.expected): Promise<{ ready: boolean; replies: PingReply[]; ms: number }> {
    const deadline = Date.now() + timeoutMs;
    let last = { replies: [] as PingReply[], ms: 0 };
    while (Date.now() < deadline) {
      last = await pingAll(this.amqpUrl, 800).catch(() => last);
      if (last.replies.filter((r) => r.Ready).length >= expected) return { ready: true, ...last };
      await new Promise((r) => setTimeout(r, 500));
    }
    return { ready: false, ...last };
  }

  /** SIGKILLs every app process and the embedded CouchDB synchronously (see `AppSupervisor.killAllNow`); the broker is left alone. */
  killNow(): void {
    this.supervisor.killAllNow();
    this.couch?.child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.supervisor.stop();
    await this.stopCouch();
    await this.stopBroker();
  }
}
