import type { Command } from 'commander';
import { amqpUrlOrExit, positiveInt, runCli, withCliClient } from '../cli-bus.js';
import { color, errorMessage, exitCodeFor, exitCodes, printJson, stdio, type Io } from '../output/index.js';

export type CalendarIo = Io;

export interface CalendarAskOptions {
  account: string;
  calendar: string;
  at?: string;
  json?: boolean;
  timeoutMs: number;
}

/**
 * `fife calendar status|oncall`: asks the running calendar service over AMQP and prints its answer.
 * Exit 0 with an answer (open or closed alike), 1 when the service refuses, 3 when nobody answers.
 */
export async function askCalendar(url: string, what: 'status' | 'oncall', opts: CalendarAskOptions, io: CalendarIo = stdio): Promise<number> {
  return withCliClient(url, async (client) => {
    const query = { accountId: opts.account, calendarId: opts.calendar, timeoutMs: opts.timeoutMs, ...(opts.at ? { at: opts.at } : {}) };
    const reply: Record<string, unknown> = what === 'status' ? await client.calendars.status(query) : await client.calendars.onCall(query);
    if (opts.json) printJson(reply, { io });
    else io.out(formatCalendarReply(reply));
    return 0;
  }).catch((err: unknown) => {
    io.err(`fife calendar ${what}: ${errorMessage(err)}\n`);
    return exitCodeFor(err);
  });
}

/**
 * The expander's own codes follow sysexits (it mirrors a reference tool: 2 parse, 64 usage, 66 no
 * input); `fife` speaks one table for every command, so they are mapped onto it here.
 */
export function expandExitCode(code: number): number {
  if (code === 0) return exitCodes.ok;
  if (code === 2) return exitCodes.failure;
  return exitCodes.usage;
}

const paintStatus = (status: string) => (status === 'open' || status === 'free' ? color.ok(status) : color.warn(status));

/** A status_resp or oncall_resp for people: the state, until when, the events behind it. */
export function formatCalendarReply(reply: Record<string, unknown>): string {
  const until = reply.Until ? ` until ${String(reply.Until)}` : '';
  const head = Array.isArray(reply['User-IDs'])
    ? `on call at ${String(reply.At)}: ${(reply['User-IDs'] as string[]).join(', ') || 'nobody'}${until}`
    : `${paintStatus(String(reply.Status))} at ${String(reply.At)}${until}${reply.Reason ? `  (${String(reply.Reason)})` : ''}`;
  const events = (reply['Active-Events'] as { UID: string; Summary?: string; Start: string; End: string; Closure?: boolean }[] | undefined) ?? [];
  const lines = events.map((e) => `  ${e.Start} - ${e.End}  ${e.Summary ?? ''}  [${e.UID}]${e.Closure ? ' closure' : ''}`);
  return `${[head, ...lines].join('\n')}\n`;
}

export function registerCalendar(program: Command): void {
  const group = program.command('calendar').description('calendars: expand .ics files locally, ask the running calendar service');
  group
    .command('expand <file>')
    .description("print the file's busy intervals in the reference expander's TSV (UID, start, end, SUMMARY; sorted bytewise)")
    .requiredOption('--from <iso>', 'window start (ISO 8601 instant)')
    .requiredOption('--to <iso>', 'window end, exclusive')
    .option('--tz <zone>', 'zone of all-day and floating events', 'UTC')
    .option('--json', 'the intervals as JSON instead of TSV', false)
    .addHelpText('after', '\nExit codes: 0 printed, 1 the file is not valid iCalendar, 2 bad options or no such file.\n\nExample:\n  $ fife calendar expand office.ics --from 2026-11-23T00:00:00Z --to 2026-11-30T00:00:00Z --tz Europe/Berlin')
    .action(async (file: string, opts: { from: string; to: string; tz: string; json: boolean }) => {
      // Loaded on demand: the other commands need not pay for the iCalendar engine at start-up.
      const { expandFile } = await import('@fife/calendar');
      process.exitCode = expandExitCode(expandFile(file, opts, stdio));
    });
  for (const what of ['status', 'oncall'] as const) {
    group
      .command(what)
      .description(what === 'status' ? 'open/closed (busy/free) at an instant and until when (status_req over AMQP)' : 'who is on call at an instant (oncall_req over AMQP)')
      .requiredOption('--account <id>', 'account id (32 hex)')
      .requiredOption('--calendar <id>', 'calendar document id')
      .option('--at <iso>', 'the instant (default: now)')
      .option('--json', 'print the reply message as JSON', false)
      .option('--timeout <ms>', 'how long to wait for the answer', positiveInt, 3000)
      .addHelpText(
        'after',
        `
Exit codes: 0 an answer came back, 1 the service refused (no such calendar, ...), 3 no calendar service answered.

Example:
  $ fife calendar ${what} --account 0123456789abcdef0123456789abcdef --calendar support --at 2026-11-23T07:30:00Z`,
      )
      .action((opts: { account: string; calendar: string; at?: string; json: boolean; timeout: number }) =>
        runCli(`calendar ${what}`, () => askCalendar(amqpUrlOrExit(`calendar ${what}`), what, { ...opts, timeoutMs: opts.timeout })),
      );
  }
}
