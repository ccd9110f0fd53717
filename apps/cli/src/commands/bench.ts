import type { Command } from 'commander';
import { join } from 'node:path';
import { repoRoot } from '@fife/cluster';
import { formatReport, markdownRow, optionsFromFlags, recordRow, runLoad, type LoadFlags } from '@fife/loadgen';

type LoadCliOptions = Omit<LoadFlags, 'storm'> & { storm: boolean; record: boolean; quiet: boolean };

const collect = (value: string, previous: string[]) => [...previous, value];

/** `fife bench load`: the whole-cluster load run (same driver as `npm run bench:load`). Exit 0 when it ran. */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks of a whole Fife cluster on this machine');
  bench
    .command('load')
    .description('simulated FreeSWITCH nodes and phones against a local cluster: registration and call ramps, re-registration storm')
    .option('--phones <n>', 'simulated phones (10000 for the full storm)', '2000')
    .option('--nodes <n>', 'simulated FreeSWITCH nodes', '2')
    .option('--scale <app=count>', 'processes of an app (repeatable, or comma-separated)', collect, [])
    .option('--apps <list>', 'apps to run, comma-separated (default all; ecallmgr, registrar and router are required)')
    .option('--reg-rates <list>', 'registration steps per second', '100,200,400,800')
    .option('--call-rates <list>', 'call steps per second ("" for none)', '10,20,40,80')
    .option('--step-seconds <s>', 'seconds per step', '5')
    .option('--baseline-seconds <s>', 'bare AMQP round trips before each step, seconds', '2')
    .option('--callees <n>', 'phones with an extension', '100')
    .option('--call-hold <s>', 'seconds a call stays up', '1')
    .option('--no-storm', 'skip the node restart and re-registration storm')
    .option('--storm-deadline <s>', 'give up on the storm after this long', '120')
    .option('--max-inflight <n>', 'mod_xml_curl fetches in flight per node', '100')
    .option('--log-level <level>', "LOG_LEVEL of the cluster's processes", 'info')
    .option('--data-dir <dir>', 'keep CouchDB data and process logs there (default: a temporary folder)')
    .option('--record', 'add a row to docs/benchmarks.md', false)
    .option('-q, --quiet', 'print only the report', false)
    .addHelpText('after', '\nExamples:\n  $ fife bench load                       # quick run, 2,000 phones\n  $ fife bench load --phones 10000 --scale registrar=2 --record')
    .action(async (opts: LoadCliOptions) => {
      const { record, quiet, ...flags } = opts;
      const options = optionsFromFlags(flags);
      const report = await runLoad(options, quiet ? undefined : (line) => process.stdout.write(`${line}\n`));
      const row = markdownRow(report);
      process.stdout.write(`\n${formatReport(report)}\n\n${row}\n`);
      if (record) {
        await recordRow(join(repoRoot, 'docs', 'benchmarks.md'), row);
        process.stdout.write('recorded in docs/benchmarks.md\n');
      }
      process.exit(0);
    });
}
