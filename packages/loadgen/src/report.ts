import { readFile, writeFile } from 'node:fs/promises';
import { DRIVER } from './environment.js';
import type { FetchStats } from './phases.js';
import type { LoadReport, StepReport } from './run.js';
import { ratio } from './stats.js';

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const pair = (s: { p50: number; p99: number }) => `${ms(s.p50)} / ${ms(s.p99)}`;
const x = (n: number) => (Number.isFinite(n) ? `×${n.toFixed(2)}` : '–');
const secs = (n: number | undefined) => (n === undefined ? '**not all**' : `${(n / 1000).toFixed(1)} s`);
const errors = (f: FetchStats) => `${f.errors}${f.noAnswer ? ` (${f.noAnswer} no answer)` : ''}`;

function stepLabel(s: StepReport): string {
  return `${s.phase === 'register' ? 'reg' : 'call'} ${s.targetPerS}/s`;
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/**
 * CPU milliseconds spent per operation started in a step: by Fife's side (whapps, CouchDB, RabbitMQ) and by
 * the driver + simulator. Less sensitive than latency to other work on the machine: the cost of a REGISTER or
 * a call, whoever else competes for the cores.
 */
export function cpuPerOp(step: StepReport): { fife: number; driver: number } {
  const sum = (pick: (name: string) => boolean) => step.processes.filter((p) => pick(p.name)).reduce((n, p) => n + p.cpuSeconds, 0);
  return { fife: (sum((n) => n !== DRIVER) / step.started) * 1000, driver: (sum((n) => n === DRIVER) / step.started) * 1000 };
}

/** Per step: rate, successes, auth and route latency at the simulator, errors, the AMQP baseline and the ratio. */
export function stepsTable(report: LoadReport): string {
  const rows = report.steps.map((s) => [
    stepLabel(s),
    `${s.achievedPerS.toFixed(0)} / ${s.completedPerS.toFixed(0)}`,
    `${s.succeeded}/${s.started}`,
    pair(s.auth),
    s.route ? pair(s.route) : '',
    errors(s.auth) + (s.route ? ` + ${errors(s.route)}` : ''),
    pair(s.baseline),
    x(ratio(s.route?.p50 ?? s.auth.p50, s.baseline.p50)),
    `${ms(cpuPerOp(s).fife)} / ${ms(cpuPerOp(s).driver)}`,
  ]);
  return table(['step', 'offered / completed per s', 'ok/started', 'auth p50 / p99 ms', 'route p50 / p99 ms', 'fetch errors (auth + route)', 'AMQP baseline p50 / p99 ms', 'p50 vs baseline', 'CPU ms per op: Fife / driver'], rows);
}

/** Why calls were not answered, per call step (hangup causes at the caller). */
function causeLines(report: LoadReport): string[] {
  return report.steps
    .filter((s) => Object.keys(s.causes).length > 0)
    .map((s) => `unanswered ${stepLabel(s)}: ${Object.entries(s.causes).map(([cause, n]) => `${cause} ×${n}`).join(', ')}`);
}

/** CPU (% of one core) and resident memory of every process, per step. */
export function processTable(report: LoadReport): string {
  const phases = [...report.steps.map((s) => ({ label: stepLabel(s), usage: s.processes })), ...(report.storm ? [{ label: 'storm', usage: report.storm.processes }] : [])];
  const rows = report.processes.map((name) => [
    name,
    ...phases.map((p) => {
      const u = p.usage.find((x) => x.name === name);
      return u ? `${u.cpuPercent.toFixed(0)} % / ${u.rssMb.toFixed(0)} MB` : '–';
    }),
  ]);
  return table(['process (CPU / RSS)', ...phases.map((p) => p.label)], rows);
}

/** Per phase, what the whapps measured themselves: where the time at the simulator went. */
export function serverSideLines(report: LoadReport): string {
  const phases = [...report.steps, ...(report.storm ? [report.storm] : [])].map((p) => ({ label: 'phase' in p ? stepLabel(p) : 'storm', serverSide: p.serverSide, lag: p.driverLoopDelay }));
  return phases
    .map((p) => {
      const lag = `    driver+sim event-loop delay: p50 ${ms(p.lag.p50Ms)} / p99 ${ms(p.lag.p99Ms)} / max ${ms(p.lag.maxMs)} ms`;
      const lines = p.serverSide
        .filter((x) => !x.series.includes('ping_req'))
        .map((x) => `    ${x.series}: n=${x.count} mean ${ms(x.meanMs)} ms, p50 ≤ ${ms(x.p50Ms)}, p99 ≤ ${ms(x.p99Ms)}`);
      return [`  ${p.label}`, ...lines, lag].join('\n');
    })
    .join('\n');
}

export function stormSummary(report: LoadReport): string {
  const s = report.storm;
  if (!s) return 'storm: not run';
  return [
    `storm: ${s.phones} phones re-register at once after every node restarted (ESL back in ${(s.eslReconnectMs / 1000).toFixed(1)} s)`,
    `  registered at the nodes: ${s.registered}/${s.phones} in ${secs(s.allRegisteredMs)}; stored by the registrar: ${s.stored}/${s.phones} in ${secs(s.allStoredMs)}`,
    `  REGISTER attempts ${s.attempts} (first-attempt failures ${s.firstAttemptFailures}); directory fetch p50 ${ms(s.auth.p50)} / p99 ${ms(s.auth.p99)} / max ${ms(s.auth.max)} ms, ${errors(s.auth)} errors`,
  ].join('\n');
}

export function formatReport(report: LoadReport): string {
  const m = report.machine;
  const o = report.options;
  const scale = Object.entries(o.scale).map(([a, n]) => `${a}×${n}`).join(' ') || 'one process per app';
  return [
    `load run ${report.runId} — ${m.date}, ${m.cpus} CPUs, ${m.memGiB} GiB, Node ${m.node}, load average ${m.loadAvg.join(' ')} at start, ${report.loadAvgEnd.join(' ')} at end`,
    `${o.phones} phones on ${o.nodes} simulated node(s); ${report.whapps} Fife processes (${scale}); ${report.vhost} vhost; ${o.stepSeconds} s per step`,
    `set-up: cluster ready ${secs(report.setup.clusterReadyMs)}, provisioning ${secs(report.setup.provisionMs)}, all phones registered ${report.setup.filled}/${o.phones} and stored ${report.setup.stored} in ${secs(report.setup.fillMs)}`,
    '',
    stepsTable(report),
    ...causeLines(report),
    '',
    processTable(report),
    '',
    'seen by the whapps themselves (their /metrics histograms; bucket bounds):',
    serverSideLines(report),
    '',
    stormSummary(report),
    `whapp restarts during the run: ${report.restarts}`,
  ].join('\n');
}

const SECTION = '## Load (`npm run bench:load`)';
const SECTION_INTRO = [
  SECTION,
  'The whole cluster as real processes (LocalCluster: ecallmgr, registrar, router, callgroup, calendar, embedded CouchDB) in a',
  'private RabbitMQ vhost, driven by simulated FreeSWITCH nodes whose phones register (directory fetch → authn_req →',
  'digest check → reg_success → CouchDB) and call each other (INVITE auth → dialplan fetch → route_req → bridge → ring).',
  'Latencies are measured at the simulator, from the mod_xml_curl POST to the parsed answer. Registrations/s and calls/s',
  'ramp in steps; each step is preceded by the bare AMQP round trip (a responder in its own process) at the same rate.',
  'Then every node restarts and every phone re-registers at once (the storm). "Clean" = no failed REGISTER / unanswered call;',
  'a cell shows the highest step with no failure in it or below, then where failures first appeared. Unanswered calls with',
  'ORIGINATOR_CANCEL: the caller hung up (1 s after its INVITE) before the callee answered. "Fife CPU per op" = CPU seconds of every',
  'whapp, CouchDB and RabbitMQ in the step ÷ operations started: the cost of one REGISTER or call whatever else loads the machine.',
  'The simulator and the driver share one process (its CPU is in the per-process table the bench prints).',
  '',
  '| date (UTC) | machine: CPUs, load avg at start → end, Node | phones / nodes / Fife processes | registrations: auth p50 / p99 ms (AMQP baseline), CPU | calls: route p50 / p99 ms (AMQP baseline), CPU | storm: registered at the nodes, stored by the registrar, first-attempt failures, fetch p99 |',
  '|---|---|---|---|---|---|',
].join('\n');

/**
 * A phase in one cell: the highest step of the clean run of steps from the bottom (no failure in it or below),
 * then where failures first appeared; when the first step already failed, that step with its failures.
 */
function phaseCell(report: LoadReport, phase: StepReport['phase']): string {
  const steps = report.steps.filter((s) => s.phase === phase).sort((a, b) => a.targetPerS - b.targetPerS);
  const firstFailing = steps.findIndex((s) => s.failed > 0);
  const lastClean = firstFailing < 0 ? steps[steps.length - 1] : steps[firstFailing - 1];
  const shown = lastClean ?? steps[0];
  if (!shown) return 'not run';
  const latency = phase === 'call' ? shown.route! : shown.auth;
  const failing = firstFailing < 0 ? undefined : steps[firstFailing]!;
  const verdict = lastClean ? `clean up to ${shown.targetPerS}/s` : `**${shown.failed}/${shown.started} failed** at ${shown.targetPerS}/s`;
  const after = failing && lastClean ? `; first failures at ${failing.targetPerS}/s (${failing.failed}/${failing.started})` : '';
  return `${verdict}: ${pair(latency)} (${pair(shown.baseline)}); ${ms(cpuPerOp(shown).fife)} ms Fife CPU per op${after}`;
}

/** The one-line summary of a run in docs/benchmarks.md's load table. */
export function markdownRow(report: LoadReport): string {
  const m = report.machine;
  const s = report.storm;
  const cells = [
    m.date,
    `${m.cpus} CPUs, ${m.loadAvg[0]} → ${report.loadAvgEnd[0]}, Node ${m.node}`,
    `${report.options.phones} / ${report.options.nodes} / ${report.whapps}`,
    phaseCell(report, 'register'),
    phaseCell(report, 'call'),
    s ? `${s.registered}/${s.phones} in ${secs(s.allRegisteredMs)}, stored ${s.stored} in ${secs(s.allStoredMs)}, ${s.firstAttemptFailures} first-attempt failures, p99 ${ms(s.auth.p99)} ms` : 'not run',
  ];
  return `| ${cells.join(' | ')} |`;
}

const TABLE_HEAD = '| date (UTC) |';

/**
 * Adds `row` to the load table of docs/benchmarks.md: after the last row of the section's run table (other
 * tables and prose in the section, and other sections, are left as they are); the section is appended at the
 * end of the file when there is none.
 */
export async function recordRow(docsPath: string, row: string): Promise<void> {
  const text = await readFile(docsPath, 'utf8');
  const start = text.indexOf(SECTION);
  if (start < 0) {
    await writeFile(docsPath, `${text.replace(/\n*$/, '\n')}\n${SECTION_INTRO}\n${row}\n`);
    return;
  }
  const next = text.indexOf('\n## ', start + SECTION.length);
  const end = next < 0 ? text.length : next;
  const lines = text.slice(start, end).split('\n');
  const head = lines.findIndex((l) => l.startsWith(TABLE_HEAD));
  if (head < 0) {
    lines.push('', ...SECTION_INTRO.split('\n').slice(-2), row);
  } else {
    let last = head;
    while (lines[last + 1]?.startsWith('|')) last++;
    lines.splice(last + 1, 0, row);
  }
  await writeFile(docsPath, text.slice(0, start) + lines.join('\n') + text.slice(end));
}
