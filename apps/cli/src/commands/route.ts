import type { Command } from 'commander';
import { dryRunReq, dryRunResp, isFifeError } from '@fife/api';
import { dryRunFields, formatDryRun, parseRouteArgs } from '@fife/router';
import { amqpUrlOrExit, withCliBus } from '../cli-bus.js';

export function registerRoute(program: Command): void {
  program
    .command('route')
    .description('dry-run a call through the running router: the plan and why each branch was taken')
    .requiredOption('--to <number>', 'the dialed number')
    .option('--from <user@realm>', 'the caller (its realm picks the account)')
    .option('--account <id>', 'the account, when --from does not name it')
    .option('--at <iso>', 'evaluate as if the call came at this instant (calendars)')
    .option('--timeout <ms>', 'how long to wait for the router', '3000')
    .option('--json', 'machine-readable output', false)
    .addHelpText('after', '\nExamples:\n  $ fife route --from 1000@sip.example.com --to 2000\n  $ fife route --from 1000@sip.example.com --to 2000 --at 2026-11-23T07:30:00Z --json')
    .action(async (opts: { to: string; from?: string; account?: string; at?: string; timeout: string; json: boolean }) => {
      const url = amqpUrlOrExit('route');
      const argv = ['--to', opts.to, '--timeout', opts.timeout];
      for (const key of ['from', 'account', 'at'] as const) if (opts[key]) argv.push(`--${key}`, opts[key]!);
      if (opts.json) argv.push('--json');
      const args = parseRouteArgs(argv);
      const code = await withCliBus(url, async (bus) => {
        const reply = await bus.request(dryRunReq, dryRunFields(args) as never, { timeoutMs: args.timeoutMs, replies: [dryRunResp] });
        process.stdout.write(args.json ? `${JSON.stringify(reply, null, 2)}\n` : `${formatDryRun(args, reply)}\n`);
        return 0;
      }).catch((err: unknown) => {
        process.stderr.write(`fife route: ${isFifeError(err, 'bus.timeout') ? `no router answered within ${args.timeoutMs} ms` : (err as Error).message}\n`);
        return 1;
      });
      process.exit(code);
    });
}
