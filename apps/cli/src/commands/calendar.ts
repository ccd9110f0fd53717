import type { Command } from 'commander';
import { calendar, genericError } from '@fife/api';
import { withCliBus } from '../cli-bus.js';

export interface CalendarIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: CalendarIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

export interface CalendarAskOptions {
  account: string;
  calendar: string;
  at?: string;
  json?: boolean;
  timeoutMs: number;
}

/** `fife calendar status|oncall`: asks the running calendar service over AMQP and prints its answer. */
export async function askCalendar(url: string, what: 'status' | 'oncall', opts: CalendarAskOptions, io: CalendarIo = stdio): Promise<number> {
  return withCliBus(url, async (bus) => {
    const fields = { 'Account-ID': opts.account, 'Calendar-ID': opts.calendar, ...(opts.at ? { At: opts.at } : {}) };
    const reply: Record<string, unknown> =
      what === 'status'
        ? await bus.request(calendar.statusReq, fields, { timeoutMs: opts.timeoutMs, replies: [calendar.statusResp, genericError] })
        : await bus.request(calendar.oncallReq, fields, { timeoutMs: opts.timeoutMs, replies: [calendar.oncallResp, genericError] });
    if (reply['Event-Category'] === 'error') {
      io.err(`fife calendar ${what}: ${String(reply['Error-Message'])}\n`);
      return 1;
    }
    io.out(opts.json ? `${JSON.stringify(reply, null, 2)}\n` : formatCalendarReply(reply));
    return 0;
  }).catch((err: Error) => {
    io.err(`fife calendar ${what}: ${err.message}\n`);
    return 1;
  });
}

/** A status_resp or oncall_resp for people: the state, until when, the events behind it. */
export function formatCalendarReply(reply: Record<string, unknown>): string {
  const until = reply.Until ? ` until ${String(reply.Until)}` : '';
  const head = Array.isArray(reply['User-IDs'])
    ? `on call at ${String(reply.At)}: ${(reply['User-IDs'] as string[]).join(', ') || 'nobody'}${until}`
    : `${String(reply.Status)} at ${String(reply.At)}${until}${reply.Reason ? `  (${String(reply.Reason)})` : ''}`;
  const events = (reply['Active-Events'] as { UID: string; Summary?: string; Start: string; End: string; Closure?: boolean }[] | undefined) ?? [];
  const lines = events.map((e) => `  ${e.Start} - ${e.End}  ${e.Summary ?? ''}  [${e.UID}]${e.Closure ? ' closure' : ''}`);
  return `${[head, ...lines].join('\n')}\n`;
}

function amqpUrlOrExit(command: string): string {
  const url = process.env.AMQP_URL;
  if (!url) {
    process.stderr.write(`fife calendar ${command}: set AMQP_URL (printed by \`fife up\`)\n`);
    process.exit(2);
  }
  return url;
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
    .action(async (file: string, opts: { from: string; to: string; tz: string; json: boolean }) => {
      // Loaded on demand: the other commands need not pay for the iCalendar engine at start-up.
      const { expandFile } = await import('@fife/calendar');
      process.exitCode = expandFile(file, opts, stdio);
    });
  for (const what of ['status', 'oncall'] as const) {
    group
      .command(what)
      .description(what === 'status' ? 'open/closed (busy/free) at an instant and until when (status_req over AMQP_URL)' : 'who is on call at an instant (oncall_req over AMQP_URL)')
      .requiredOption('--account <id>', 'account id (32 hex)')
      .requiredOption('--calendar <id>', 'calendar document id')
      .option('--at <iso>', 'the instant (default: now)')
      .option('--json', 'print the reply message as JSON', false)
      .option('--timeout <ms>', 'how long to wait for the answer', '3000')
      .action(async (opts: { account: string; calendar: string; at?: string; json: boolean; timeout: string }) => {
        const code = await askCalendar(amqpUrlOrExit(what), what, { ...opts, timeoutMs: Number(opts.timeout) });
        process.exit(code);
      });
  }
}
