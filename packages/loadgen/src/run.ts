import { monitorEventLoopDelay } from 'node:perf_hooks';
import { nanoid } from 'nanoid';
import { FifeError } from '@fife/api';
import { discoverApps } from '@fife/cluster';
import { AmqpBaseline, type BaselineResult } from './baseline.js';
import { startEnvironment, Teardown, type Environment } from './environment.js';
import type { ServerSide } from './histograms.js';
import { describeMachine, type Machine } from './machine.js';
import { LoadOptionsSchema, type LoadOptions, type LoadOptionsInput } from './options.js';
import { callStep, registrationStep, type FetchStats } from './phases.js';
import { sampleProcesses, serverSideBetween, usageBetween, type ProcessSource, type ProcessUsage } from './process-sampler.js';
import { reRegistrationStorm, type StormResult } from './storm.js';
import { endToEndReady, registerEveryPhone, type Fill } from './warmup.js';

/**
 * The driver's own event-loop delay: the simulator runs in this process, so when its loop lags, the
 * latencies it measures include that lag (and the rate it achieves drops). Reported with every phase.
 */
export type LoopDelay = { p50Ms: number; p99Ms: number; maxMs: number };

type Measured = { processes: ProcessUsage[]; serverSide: ServerSide[]; driverLoopDelay: LoopDelay };

export type StepReport = Measured & {
  phase: 'register' | 'call';
  targetPerS: number;
  /** Rate operations were started at (the offered load). */
  achievedPerS: number;
  /** Successful operations per second, until the last one of the step finished. */
  completedPerS: number;
  started: number;
  succeeded: number;
  failed: number;
  /** Hangup causes of calls that were not answered. */
  causes: Record<string, number>;
  /** Directory fetches: REGISTER digest auth (register steps) or INVITE digest auth (call steps). */
  auth: FetchStats;
  /** Dialplan fetches (call steps). */
  route: FetchStats | undefined;
  baseline: BaselineResult;
};

export type LoadReport = {
  runId: string;
  options: LoadOptions;
  machine: Machine;
  /** Load average when the run ended (other work on the machine competes for the same cores). */
  loadAvgEnd: [number, number, number];
  processes: string[];
  /** Fife processes in the cluster (whapps and ecallmgr; CouchDB, the broker and the driver not counted). */
  whapps: number;
  vhost: 'private' | 'shared';
  setup: Fill & { clusterReadyMs: number; provisionMs: number };
  steps: StepReport[];
  storm: (StormResult & Measured) | undefined;
  /** Whapp processes the supervisor had to restart during the run (should be 0). */
  restarts: number;
};

const REQUIRED_APPS = ['ecallmgr', 'registrar', 'router'];
const STEP_EXPIRES_S = 1800;
/** Longer than the steps' Expires, so CouchDB tells the bindings the storm rewrote from older ones. */
const STORM_EXPIRES_S = 3600;

/** Runs `phase` between two readings of every process, watching this process's event loop meanwhile. */
async function measured<T>(sources: readonly ProcessSource[], phase: () => Promise<T>): Promise<T & Measured> {
  const before = await sampleProcesses(sources);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const result = await phase().finally(() => loop.disable());
  const after = await sampleProcesses(sources);
  const driverLoopDelay = { p50Ms: loop.percentile(50) / 1e6, p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 };
  return { ...result, processes: usageBetween(before, after), serverSide: serverSideBetween(before, after), driverLoopDelay };
}

const sec = (ms: number | undefined) => (ms === undefined ? 'NOT ALL' : `${(ms / 1000).toFixed(1)} s`);

/** Registration steps then call steps, each preceded by the bare AMQP round trip at the same rate. */
async function ramps(o: LoadOptions, env: Environment, baseline: AmqpBaseline, log: (line: string) => void): Promise<StepReport[]> {
  const steps: StepReport[] = [];
  const regCursor = { next: 0 };
  for (const rate of o.regRates) {
    const base = await baseline.measure(rate, o.baselineSeconds);
    const s = await measured(env.sources, () => registrationStep(env.fleet, o.phones, regCursor, rate, o.stepSeconds, STEP_EXPIRES_S));
    const { processes, serverSide, driverLoopDelay, achievedPerS, completedPerS, started, failed, auth } = s;
    steps.push({ phase: 'register', targetPerS: rate, achievedPerS, completedPerS, started, succeeded: s.registered, failed, causes: {}, auth, route: undefined, baseline: base, processes, serverSide, driverLoopDelay });
    log(`load: register ${rate}/s → ${s.registered}/${s.started} registered, auth p50 ${s.auth.p50.toFixed(1)} p99 ${s.auth.p99.toFixed(1)} ms (baseline p50 ${base.p50.toFixed(1)} ms)`);
  }
  const callCursor = { next: 0 };
  const shape = { phones: o.phones, callees: o.callees, nodes: o.nodes, holdS: o.callHoldS };
  for (const rate of o.callRates) {
    const base = await baseline.measure(rate, o.baselineSeconds);
    const s = await measured(env.sources, () => callStep(env.fleet, shape, callCursor, rate, o.stepSeconds));
    const { processes, serverSide, driverLoopDelay, achievedPerS, completedPerS, started, failed, causes, auth, route } = s;
    steps.push({ phase: 'call', targetPerS: rate, achievedPerS, completedPerS, started, succeeded: s.answered, failed, causes, auth, route, baseline: base, processes, serverSide, driverLoopDelay });
    log(`load: call ${rate}/s → ${s.answered}/${s.started} answered, route p50 ${s.route.p50.toFixed(1)} p99 ${s.route.p99.toFixed(1)} ms (baseline p50 ${base.p50.toFixed(1)} ms)`);
  }
  return steps;
}

/**
 * One load run: the environment (private vhost, simulated nodes and phones, a LocalCluster of real processes,
 * one provisioned account), end-to-end readiness, every phone registered once, the registration and call
 * ramps, and the re-registration storm. Everything started is stopped again, also on failure or Ctrl-C.
 */
export async function runLoad(input: LoadOptionsInput, log: (line: string) => void = () => undefined): Promise<LoadReport> {
  const o = LoadOptionsSchema.parse(input);
  const apps = o.apps ?? discoverApps();
  const missing = REQUIRED_APPS.filter((a) => !apps.includes(a));
  if (missing.length) throw new FifeError('loadgen.options', `a load run needs ${missing.join(', ')} among the apps`, { apps });
  const machine = describeMachine();
  const runId = nanoid(8).toLowerCase().replace(/[^a-z0-9]/g, 'x');
  const teardown = new Teardown();
  // Ctrl-C must not leave the cluster's processes running: clean up, then exit.
  const interrupted = () => {
    log('load: interrupted, stopping the cluster');
    void teardown.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const env = await startEnvironment(o, { runId, realm: `load-${runId}.example.org`, apps }, teardown, log);
    await endToEndReady(env.fleet, o, STEP_EXPIRES_S);
    const baseline = await AmqpBaseline.start(env.url);
    teardown.add(() => baseline.stop());

    const fill = await registerEveryPhone(env.fleet, env.store, env.accountId, o.phones, STEP_EXPIRES_S);
    log(`load: ${fill.filled}/${o.phones} phones registered at their node, ${fill.stored} bindings stored by the registrar (${sec(fill.fillMs)})`);
    const steps = await ramps(o, env, baseline, log);

    let storm: LoadReport['storm'];
    if (o.storm) {
      const stormOptions = { phones: o.phones, deadlineS: o.stormDeadlineS, retryS: o.stormRetryS, expiresS: STORM_EXPIRES_S };
      storm = await measured(env.sources, () => reRegistrationStorm(env.fleet, env.store, stormOptions));
      log(`load: storm ${storm.registered}/${o.phones} registered in ${sec(storm.allRegisteredMs)}, ${storm.stored} stored in ${sec(storm.allStoredMs)}`);
    }
    return {
      runId,
      options: o,
      machine,
      loadAvgEnd: describeMachine().loadAvg,
      processes: env.sources.map((s) => s.name),
      whapps: env.cluster.expected,
      vhost: env.vhost,
      setup: { ...fill, clusterReadyMs: env.clusterReadyMs, provisionMs: env.provisionMs },
      steps,
      storm,
      restarts: env.cluster.supervisor.processes.reduce((sum, p) => sum + p.restarts, 0),
    };
  } catch (err) {
    teardown.keepData = true; // the processes' logs explain what went wrong
    log(`load: failed; process logs kept in ${teardown.logDir ?? '(none yet)'}`);
    throw err;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    const t = Date.now();
    await teardown.run();
    log(`load: cluster, simulator and vhost stopped in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
}
