import type { Command } from 'commander';
import { busPort, exportAccounts, toYaml } from '@fife/provisioning';
import { amqpUrlOrExit, withCliBus } from '../cli-bus.js';
import { stdio, type Io } from '../output/index.js';

/** `fife export`: the stored accounts as a provisioning file; provisioning it back changes nothing. */
export async function runExport(url: () => string, opts: { account?: string; json?: boolean; timeoutMs?: number } = {}, io: Io = stdio): Promise<number> {
  try {
    const file = await withCliBus(url(), (bus) =>
      exportAccounts(busPort(bus, { timeoutMs: opts.timeoutMs ?? 5000 }), opts.account !== undefined ? { account: opts.account } : {}),
    );
    io.out(opts.json ? `${JSON.stringify(file, null, 2)}\n` : toYaml(file));
    return 0;
  } catch (err) {
    io.err(`fife export: ${(err as Error).message}\n`);
    return 1;
  }
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('print accounts and everything in them as a provisioning YAML file')
    .option('--account <name>', 'only this account (name or id)')
    .option('--json', 'the same structure as JSON', false)
    .option('--timeout <ms>', 'deadline of each request to a whapp', '5000')
    .addHelpText(
      'after',
      `
The file round-trips: \`fife provision\` of an export reports every document unchanged. Documents are
named by their names; \`id:\` is written only for documents whose id is not derived from their name.

Examples:
  $ fife export > everything.yaml
  $ fife export --account acme > acme.yaml`,
    )
    .action(async (opts: { account?: string; json: boolean; timeout: string }) => {
      const code = await runExport(() => amqpUrlOrExit('export'), { ...opts, timeoutMs: Number(opts.timeout) });
      process.exit(code);
    });
}
