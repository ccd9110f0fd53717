/**
 * Runs simulated FreeSWITCH nodes in real time from a config file:
 *   node --import tsx packages/testkit/src/bin/fife-sim.ts --config sim.yaml [--quiet]
 * (the same as `fife sim --config sim.yaml`). Ctrl-C stops everything.
 */
import { parseArgs } from 'node:util';
import { runSimFromFile } from '../sim/run.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, quiet: { type: 'boolean', short: 'q' } } });
  if (!values.config) {
    process.stderr.write('usage: fife-sim --config <sim.yaml|sim.json> [--quiet]\n');
    process.exit(2);
  }
  const cluster = await runSimFromFile(values.config, { quiet: values.quiet ?? false });
  const stop = async (): Promise<void> => {
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`fife-sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
