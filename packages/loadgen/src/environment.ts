import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FifeError } from '@fife/api';
import { LocalCluster, freePort, pingAll } from '@fife/cluster';
import { accountDbName, ACCOUNTS_DB, openStore, type Store } from '@fife/store';
import { brokerUrl } from '@fife/testkit';
import { SimFleet } from './fleet.js';
import type { LoadOptions } from './options.js';
import { brokerPid, childPids, type ProcessSource } from './process-sampler.js';
import { buildViewIndexes, provisionAccount } from './provision.js';
import { nodesPerEcallmgr, xmlCurlOwner } from './topology.js';
import { privateVhost } from './vhost.js';

/** Clean-up steps, run in reverse order of set-up whatever failed. */
export class Teardown {
  private readonly steps: Array<() => Promise<unknown>> = [];
  /** Set when a run failed: the data folder (with the processes' logs) is then kept. */
  keepData = false;
  logDir: string | undefined;

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    // Taken out before running, so an interruption during clean-up does not run a step twice.
    for (const step of this.steps.splice(0).reverse()) await step().catch(() => undefined);
  }
}

/** Everything a run drives and measures, once it is up and provisioned. */
export type Environment = {
  url: string;
  vhost: 'private' | 'shared';
  fleet: SimFleet;
  cluster: LocalCluster;
  store: Store;
  accountId: string;
  sources: ProcessSource[];
  clusterReadyMs: number;
  provisionMs: number;
};

type Ids = { runId: string; realm: string; apps: string[] };
type Log = (line: string) => void;

/** A private vhost when the broker can be administered from here, else the broker's own. */
async function brokerFor(o: LoadOptions, runId: string, teardown: Teardown, log: Log): Promise<{ url: string; vhost: 'private' | 'shared' }> {
  const baseUrl = o.amqpUrl ?? (await brokerUrl());
  const vhost = o.privateVhost ? await privateVhost(baseUrl, `fife-load-${runId}`) : undefined;
  if (vhost) {
    teardown.add(vhost.remove);
    return { url: vhost.url, vhost: 'private' };
  }
  log("load: running in the broker's shared vhost (could not create a private one)");
  return { url: baseUrl, vhost: 'shared' };
}

async function startCluster(o: LoadOptions, ids: Ids, url: string, teardown: Teardown, log: Log): Promise<{ fleet: SimFleet; cluster: LocalCluster; readyMs: number }> {
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'fife-load-')));
  if (!o.dataDir) teardown.add(() => (teardown.keepData ? Promise.resolve() : rm(dataDir, { recursive: true, force: true })));

  const plan = nodesPerEcallmgr(o.scale['ecallmgr'] ?? 1, o.nodes);
  const xmlPorts = new Map<number, number>();
  for (const p of plan.keys()) xmlPorts.set(p, await freePort());
  const fleet = new SimFleet({
    runId: ids.runId,
    realm: ids.realm,
    phones: o.phones,
    nodes: o.nodes,
    xmlCurlUrls: Array.from({ length: o.nodes }, (_, n) => `http://127.0.0.1:${xmlPorts.get(xmlCurlOwner(plan, n))}/freeswitch/xml`),
    maxInflightPerNode: o.maxInflightPerNode,
  });
  await fleet.start();
  teardown.add(() => fleet.stop());
  log(`load: ${o.nodes} simulated node(s), ${o.phones} phones in ${ids.realm}`);

  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: o.logLevel };
  delete env.COUCH_URL; // always the run's own embedded CouchDB
  const t0 = Date.now();
  const cluster = await LocalCluster.start({
    dataDir,
    scale: o.scale,
    apps: ids.apps,
    env,
    amqpUrl: url,
    processEnv: (app, index): NodeJS.ProcessEnv =>
      app !== 'ecallmgr'
        ? {}
        : {
            ECALLMGR_FS_NODES: JSON.stringify((plan.get(index) ?? []).map((n) => ({ name: `fs-load-${n + 1}`, host: '127.0.0.1', port: fleet.ports[n] }))),
            ECALLMGR_XMLCURL_HOST: '127.0.0.1',
            ECALLMGR_XMLCURL_PORT: String(xmlPorts.get(index) ?? 0),
          },
    onEvent: (line) => log(`cluster: ${line}`),
  });
  teardown.add(() => cluster.stop());
  teardown.logDir = cluster.logDir;
  const ready = await cluster.waitReady(120_000);
  if (!ready.ready) {
    const answered = ready.replies.filter((r) => r.Ready).length;
    throw new FifeError('loadgen.not_ready', `only ${answered} of ${cluster.expected} processes became ready; logs in ${cluster.logDir}`);
  }
  const readyMs = Date.now() - t0;
  log(`load: ${cluster.expected} processes ready in ${(readyMs / 1000).toFixed(1)} s`);
  return { fleet, cluster, readyMs };
}

/**
 * A private vhost, the simulated nodes and phones, a LocalCluster of real processes (ecallmgr pointed at the
 * simulator), one account provisioned in its CouchDB with every view index built. Everything started is
 * registered with `teardown`.
 */
export async function startEnvironment(o: LoadOptions, ids: Ids, teardown: Teardown, log: Log): Promise<Environment> {
  const { url, vhost } = await brokerFor(o, ids.runId, teardown, log);
  const { fleet, cluster, readyMs } = await startCluster(o, ids, url, teardown, log);
  const store = await openStore({ couchUrl: cluster.couchUrl });
  teardown.add(() => store.close());
  const t1 = Date.now();
  const accountId = await provisionAccount(store, { runId: ids.runId, realm: ids.realm, phones: o.phones, callees: o.callees });
  const views = (await buildViewIndexes(store, ACCOUNTS_DB)) + (await buildViewIndexes(store, accountDbName(accountId)));
  const provisionMs = Date.now() - t1;
  log(`load: provisioned ${o.phones} devices and ${o.callees} callflows, ${views} view indexes built, in ${(provisionMs / 1000).toFixed(1)} s`);
  const sources = await processSources(url, cluster.expected);
  return { url, vhost, fleet, cluster, store, accountId, sources, clusterReadyMs: readyMs, provisionMs };
}

/** Every whapp process by its /metrics URL (from the ping replies), plus CouchDB, the broker and this driver by PID. */
async function processSources(url: string, expected: number): Promise<ProcessSource[]> {
  const { replies } = await pingAll(url, 1500);
  if (replies.length < expected) throw new FifeError('loadgen.not_ready', `${replies.length} of ${expected} processes answered ping`);
  const whapps = replies
    .map((r) => ({ name: String(r['Node'] ?? r['App-Name']).split('@')[0]!, metricsUrl: String(r['Metrics-URL']) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const couch = (await childPids(process.pid, 'embedded-couch')).map((pid) => ({ name: 'couchdb', pid }));
  const beam = await brokerPid(Number(new URL(url).port || 5672));
  const broker = beam === undefined ? [] : [{ name: 'rabbitmq', pid: beam }];
  return [...whapps, ...couch, ...broker, { name: DRIVER, pid: process.pid }];
}

/** The process the simulator and the driver share (this one). */
export const DRIVER = 'driver+sim';
