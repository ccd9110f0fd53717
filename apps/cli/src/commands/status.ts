import type { Command } from 'commander';
import { amqpUrlOrExit } from '../cli-bus.js';
import { formatPingTable, pingAll } from '@fife/cluster';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('list every Fife process on the bus (system/ping_req collect)')
    .option('--app <name>', 'only processes of this app')
    .option('--timeout <ms>', 'collect window', '1000')
    .option('--json', 'machine-readable output', false)
    .action(async (opts: { app?: string; timeout: string; json: boolean }) => {
      const url = amqpUrlOrExit('status');
      const { replies } = await pingAll(url, Number(opts.timeout), opts.app);
      process.stdout.write(opts.json ? `${JSON.stringify(replies, null, 2)}\n` : `${formatPingTable(replies)}\n`);
      process.exit(replies.length > 0 && replies.every((r) => r.Ready) ? 0 : 1);
    });
}
