import type { Command } from 'commander';
import { runSimFromFile } from '@fife/testkit';

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('run simulated FreeSWITCH nodes (ESL server + SIP phones asking mod_xml_curl) in real time')
    .requiredOption('-c, --config <file>', 'nodes, phones and the xml_curl URL (YAML or JSON)')
    .option('-q, --quiet', 'do not print every event', false)
    .addHelpText('after', '\nExample:\n  $ fife sim --config packages/testkit/examples/sim.yaml')
    .action(async (opts: { config: string; quiet: boolean }) => {
      const cluster = await runSimFromFile(opts.config, { quiet: opts.quiet });
      const stop = async () => {
        await cluster.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
