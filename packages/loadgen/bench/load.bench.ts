// The whole-cluster load benchmark: simulated FreeSWITCH nodes and phones against a LocalCluster of real
// processes, registration and call ramps, the re-registration storm, a bare AMQP baseline per step.
//   node --import tsx packages/loadgen/bench/load.bench.ts [--phones 10000] [--nodes 2] [--scale registrar=2] ...
// Prints the tables; with --record adds a row to docs/benchmarks.md. --help lists the options.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@fife/cluster';
import { formatReport, markdownRow, optionsFromFlags, recordRow, runLoad } from '../src/index.js';

const usage = `usage: load.bench.ts [options]
  --phones N             simulated phones (default 2000; 10000 for the full storm)
  --nodes N              simulated FreeSWITCH nodes (default 2)
  --scale app=N          processes of an app, repeatable or comma-separated (e.g. registrar=2,ecallmgr=2)
  --apps a,b,c           apps to run (default all; ecallmgr, registrar and router are required)
  --reg-rates R,R,...    registration steps per second (default 100,200,400,800)
  --call-rates R,R,...   call steps per second (default 10,20,40,80; "" for none)
  --step-seconds S       seconds per step (default 5)
  --baseline-seconds S   AMQP baseline per step (default 2)
  --callees N            phones with an extension (default 100)
  --call-hold S          seconds a call stays up (default 1)
  --no-storm             skip the node restart and re-registration storm
  --storm-deadline S     give up on the storm after S seconds (default 120)
  --max-inflight N       mod_xml_curl fetches in flight per node (default 100)
  --log-level L          LOG_LEVEL of the cluster's processes (default info)
  --data-dir DIR         keep CouchDB data and process logs there (default: a temporary folder, removed)
  --record               add a row to docs/benchmarks.md`;

const { values } = parseArgs({
  options: {
    phones: { type: 'string' },
    nodes: { type: 'string' },
    scale: { type: 'string', multiple: true },
    apps: { type: 'string' },
    'reg-rates': { type: 'string' },
    'call-rates': { type: 'string' },
    'step-seconds': { type: 'string' },
    'baseline-seconds': { type: 'string' },
    callees: { type: 'string' },
    'call-hold': { type: 'string' },
    'no-storm': { type: 'boolean', default: false },
    'storm-deadline': { type: 'string' },
    'max-inflight': { type: 'string' },
    'log-level': { type: 'string' },
    'data-dir': { type: 'string' },
    record: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(usage);
  process.exit(0);
}

const options = optionsFromFlags({
  phones: values.phones,
  nodes: values.nodes,
  scale: values.scale,
  apps: values.apps,
  regRates: values['reg-rates'],
  callRates: values['call-rates'],
  stepSeconds: values['step-seconds'],
  baselineSeconds: values['baseline-seconds'],
  callees: values.callees,
  callHold: values['call-hold'],
  storm: !values['no-storm'],
  stormDeadline: values['storm-deadline'],
  maxInflight: values['max-inflight'],
  logLevel: values['log-level'],
  dataDir: values['data-dir'],
});

const report = await runLoad(options, (line) => console.log(line));
console.log('');
console.log(formatReport(report));
const row = markdownRow(report);
console.log('');
console.log(row);
if (values.record) {
  await recordRow(join(repoRoot, 'docs', 'benchmarks.md'), row);
  console.log('recorded in docs/benchmarks.md');
}
process.exit(0);
