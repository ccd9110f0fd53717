import { hostname } from 'node:os';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { FifeError, system } from '@fife/api';
import { Bus, handler, type ConsumeSpec } from '@fife/bus';
import { openStore, type Store } from '@fife/store';
import { join } from 'node:path';
import { defaultNodeName, loadConfig, redactUrl, type Config, type ConfigShape } from './config.js';
import { createLogger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { startHttp, type ReadinessCheck } from './http.js';

export interface WhappContext<S extends ConfigShape> {
  name: string;
  version: string;
  config: Config<S>;
  log: Logger;
  bus: Bus;
  /** CouchDB through nano; present when the definition asked for it (`store: true`). */
  store: Store;
  metrics: Metrics;
  /** Adds a dependency to /readyz and to ping replies. */
  addReadiness(name: string, check: ReadinessCheck): void;
  /** Runs at shutdown after consumers stopped and in-flight work finished, in reverse order. */
  onStop(fn: () => Promise<void> | void): void;
}

export interface WhappDefinition<S extends ConfigShape> {
  name: string;
  version: string;
  config: S;
  /** Opens CouchDB (COUCH_URL, else the embedded server under FIFE_DATA_DIR/couch) before setup. */
  store?: boolean;
  /** Wires consumers, caches, timers. Runs once; the bus re-attaches consumers after reconnects. */
  setup(ctx: WhappContext<S>): Promise<void>;
}

export interface RunningWhapp<S extends ConfigShape> extends WhappContext<S> {
  httpUrl: string;
  stop(): Promise<void>;
}

/** Starts a whapp: config, logger, bus, HTTP endpoint, ping responder, then the app's own setup. */
export async function startWhapp<S extends ConfigShape>(
  def: WhappDefinition<S>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningWhapp<S>> {
  const config = loadConfig(def.config, env);
  const log = createLogger(def.name, config.LOG_LEVEL);
  const metrics = createMetrics(def.name);
  const started = Date.now();
  const node = config.NODE_NAME ?? defaultNodeName(def.name);
  const bus = new Bus({
    url: config.AMQP_URL,
    identity: { appName: def.name, appVersion: def.version, node },
    logger: log,
    observer: metrics.observer,
    reconnect: { maxRetries: config.AMQP_RECONNECT_MAX_RETRIES },
  });
  const checks = new Map<string, ReadinessCheck>([['bus', () => bus.isUp]]);
  const stoppers: Array<() => Promise<void> | void> = [];
  const store = def.store ? await openStore({ couchUrl: config.COUCH_URL, dataDir: join(config.FIFE_DATA_DIR, 'couch') }) : undefined;
  if (store) {
    checks.set('store', couchAnswers(store));
    stoppers.push(() => store.close());
  }
  const ctx: WhappContext<S> = {
    name: def.name,
    version: def.version,
    config,
    log,
    bus,
    get store(): Store {
      if (!store) throw new FifeError('whapp.no_store', `${def.name} did not ask for a store (store: true)`);
      return store;
    },
    metrics,
    addReadiness: (name, check) => void checks.set(name, check),
    onStop: (fn) => void stoppers.push(fn),
  };

  log.info({ amqp: redactUrl(config.AMQP_URL), couch: redactUrl(config.COUCH_URL) ?? 'embedded', node }, `${def.name}: starting`);
  await bus.start();
  const http = await startHttp(config.HTTP_HOST, config.HTTP_PORT, metrics.registry, checks);
  await bus.consume(pingConsumer(bus, def.name, started, checks, http.url));
  await def.setup(ctx);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info(`${def.name}: draining`);
      await bus.drain(config.DRAIN_TIMEOUT_MS);
      for (const fn of stoppers.reverse()) await Promise.resolve(fn()).catch((err) => log.warn({ err }, 'stop hook failed'));
      await closeServer(http.server);
      log.info(`${def.name}: stopped`);
    })());

  log.info({ http: http.url, serverId: bus.serverId }, `${def.name}: ready`);
  // Object.assign, not a spread: a spread would call the `store` getter of a store-less whapp.
  return Object.assign(ctx, { httpUrl: http.url, stop });
}

/** Every process answers ping on its own exclusive queue, so a collect reaches all of them. */
function pingConsumer(bus: Bus, app: string, started: number, checks: Map<string, ReadinessCheck>, httpUrl: string): ConsumeSpec {
  return {
    queue: `${bus.serverId}.ping`,
    exclusive: true,
    bindings: [
      { exchange: 'fife', key: 'system.ping.*' },
      { exchange: 'fife', key: `system.ping.${app}` },
    ],
    handlers: [
      handler(system.pingReq, async (msg, ctx) => {
        if (msg.App && msg.App !== app) return; // not ours: stay silent
        const results: Record<string, boolean> = {};
        for (const [name, check] of checks) results[name] = await Promise.resolve(check()).catch(() => false);
        await ctx.reply(system.pingResp, {
          'Uptime-Seconds': Math.round((Date.now() - started) / 1000),
          Ready: Object.values(results).every(Boolean),
          Checks: results,
          PID: process.pid,
          Hostname: hostname(),
          'Metrics-URL': `${httpUrl}/metrics`,
        });
      }),
    ],
  };
}

/** CouchDB readiness, probed at most every 2 s so /readyz stays cheap under scraping. */
function couchAnswers(store: Store): ReadinessCheck {
  let last = { at: 0, ok: false };
  return async () => {
    if (Date.now() - last.at < 2000) return last.ok;
    const ok = await Promise.race([
      store.server.info().then(() => true, () => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref()),
    ]);
    last = { at: Date.now(), ok };
    return ok;
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/**
 * The `main.ts` of every app: start, stop cleanly on SIGTERM/SIGINT, exit non-zero when the broker
 * is gone for good or the configuration is wrong (a supervisor restarts it; idling would hide it).
 */
export async function runWhapp<S extends ConfigShape>(def: WhappDefinition<S>): Promise<void> {
  let app: RunningWhapp<S>;
  try {
    app = await startWhapp(def);
  } catch (err) {
    const e = err instanceof FifeError ? err : new FifeError('whapp.start_failed', String((err as Error)?.message ?? err));
    process.stderr.write(`${def.name}: cannot start: ${e.message}\n`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    app.log.info({ signal }, 'shutdown requested');
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  app.bus.on('fatal', () => process.exit(1));
  process.on('unhandledRejection', (reason) => app.log.error({ err: reason }, 'unhandled rejection'));
}
