import type { Command } from 'commander';
import { FifeError, isFifeError } from '@fife/api';
import { formatDryRun, parseRouteArgs, type RouteArgs } from '@fife/router';
import { amqpUrlOrExit, runCli, withCliClient } from '../cli-bus.js';
import { color, exitCodes, printJson, stdio, type Io } from '../output/index.js';

/**
 * `fife route`: the router's dry run for one call. Exit 0 when the call would be connected (bridge or
 * park), 1 when it would fail (error, no route), 2 bad arguments, 3 no router answered.
 */
export async function dryRunRoute(url: string, argv: string[], io: Io = stdio): Promise<number> {
  let args: RouteArgs;
  try {
    args = parseRouteArgs(argv);
  } catch (err) {
    if (!isFifeError(err, 'cli.usage')) throw err;
    io.err(`fife route: ${err.message}\n`);
    return exitCodes.usage;
  }
  return withCliClient(url, async (client) => {
    const plan = await client.routes
      .dryRun({ to: args.to, ...(args.from ? { from: args.from } : {}), ...(args.account ? { accountId: args.account } : {}), ...(args.at ? { at: args.at } : {}), timeoutMs: args.timeoutMs })
      .catch((err: unknown) => {
        if (isFifeError(err, 'bus.timeout')) throw new FifeError('bus.timeout', `no router answered within ${args.timeoutMs} ms`, err.context);
        throw err;
      });
    const connected = plan.result === 'bridge' || plan.result === 'park';
    if (args.json) printJson(plan.reply, { io });
    else {
      const [head, ...rest] = formatDryRun(args, plan.reply).split('\n');
      io.out(`${connected ? color.ok(head!) : color.bad(head!)}\n${rest.length ? `${rest.join('\n')}\n` : ''}`);
    }
    return connected ? exitCodes.ok : exitCodes.failure;
  });
}

export function registerRoute(program: Command): void {
  program
    .command('route')
    .description('dry-run a call through the running router: the plan and why each branch was taken')
    .requiredOption('--to <number>', 'the dialed number')
    .option('--from <user@realm>', 'the caller (its realm picks the account)')
    .option('--account <id>', 'the account, when --from does not name it')
    .option('--at <iso>', 'evaluate as if the call came at this instant (calendars)')
    .option('--timeout <ms>', 'how long to wait for the router', '3000')
    .option('--json', 'the dry_run_resp message as JSON', false)
    .addHelpText(
      'after',
      `
Exit codes: 0 the call would be connected (bridge, park), 1 it would fail (error, no route), 2 bad arguments, 3 no router answered.

Examples:
  $ fife route --from 1000@sip.example.com --to 2000
  $ fife route --from 1000@sip.example.com --to 2000 --at 2026-11-23T07:30:00Z --json
  $ fife route --account 0123456789abcdef0123456789abcdef --to 2000`,
    )
    .action((opts: { to: string; from?: string; account?: string; at?: string; timeout: string; json: boolean }) => {
      const argv = ['--to', opts.to, '--timeout', opts.timeout];
      for (const key of ['from', 'account', 'at'] as const) if (opts[key]) argv.push(`--${key}`, opts[key]!);
      if (opts.json) argv.push('--json');
      return runCli('route', () => dryRunRoute(amqpUrlOrExit('route'), argv));
    });
}
