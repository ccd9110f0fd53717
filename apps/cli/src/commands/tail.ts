import type { Command } from 'commander';
import { callEventName, type call, type MessageOf } from '@fife/api';
import type { Subscription } from '@fife/client';
import { amqpUrlOrExit, positiveInt, runCli, withCliClient } from '../cli-bus.js';
import { color, exitCodes, printJson, stdio, type Io } from '../output/index.js';

type CallEvent = MessageOf<typeof call.event>;

export interface TailOptions {
  callId?: string;
  events?: string[];
  account?: string;
  json?: boolean;
  /** Stop after this many printed events (scripts, tests); default: until Ctrl-C. */
  count?: number;
}

const accountOf = (e: CallEvent) => (e['Custom-Channel-Vars'] as Record<string, unknown> | undefined)?.['Account-ID'];

function paint(name: string): string {
  if (name === 'CHANNEL_ANSWER' || name === 'CHANNEL_BRIDGE') return color.ok(name);
  if (name === 'CHANNEL_DESTROY' || name === 'CHANNEL_HANGUP_COMPLETE' || name === 'CHANNEL_EXECUTE_ERROR') return color.bad(name);
  if (name === 'CHANNEL_CREATE') return color.warn(name);
  return name;
}

/** One event, one line: time, event, call id, who → whom, and what the event is about. */
export function formatEvent(e: CallEvent, receivedAt: Date = new Date()): string {
  const who = [e['Caller-ID-Number'] ?? e.From, e['Callee-ID-Number'] ?? e['Other-Leg-Destination-Number'] ?? e.Request].filter(Boolean).join(' → ');
  const detail = [
    e['Hangup-Cause'] && `cause=${e['Hangup-Cause']}`,
    // The response means something only once the application finished.
    e['Application-Name'] && `app=${e['Application-Name']}${e['Application-Response'] && e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' ? `:${e['Application-Response']}` : ''}`,
    e['DTMF-Digit'] && `dtmf=${e['DTMF-Digit']}`,
    e['Other-Leg-Call-ID'] && `other=${e['Other-Leg-Call-ID']}`,
    e['Switch-Hostname'] && color.dim(`@${e['Switch-Hostname']}`),
  ].filter(Boolean);
  return [color.dim(receivedAt.toISOString().slice(11, 23)), paint(String(e['Event-Name'])).padEnd(24), e['Call-ID'], who, ...detail].filter(Boolean).join('  ');
}

/**
 * Call events as ecallmgr publishes them, filtered by the broker (routing-key bindings for call id and
 * event names) and here (account: it is a channel variable, not part of the key). Resolves with the exit
 * code once `count` events were printed or `stop` resolves (Ctrl-C).
 */
export async function tail(url: string, opts: TailOptions, stop: Promise<void>, io: Io = stdio): Promise<number> {
  for (const name of opts.events ?? []) {
    if (!callEventName.test(name)) {
      io.err(`fife tail: --event ${name}: event names are upper case, e.g. CHANNEL_ANSWER\n`);
      return exitCodes.usage;
    }
  }
  return withCliClient(url, async (client) => {
    let printed = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const onEvent = (e: CallEvent) => {
      if (opts.account && accountOf(e) !== opts.account) return;
      if (opts.count !== undefined && printed >= opts.count) return;
      printed += 1;
      if (opts.json) printJson(e, { ndjson: true, io });
      else io.out(`${formatEvent(e)}\n`);
      if (opts.count !== undefined && printed >= opts.count) done();
    };
    const filters = (opts.events?.length ? opts.events : [undefined]).map((event) => ({ ...(event ? { event } : {}), ...(opts.callId ? { callId: opts.callId } : {}) }));
    const subscriptions: Subscription[] = [];
    for (const filter of filters) subscriptions.push(await client.calls.subscribe(filter, onEvent));
    const keys = filters.map((f) => `call.${f.event ?? '*'}.${f.callId ?? '*'}`).join(', ');
    io.err(`fife tail: listening on callevt ${keys}${opts.account ? ` for account ${opts.account}` : ''} (Ctrl-C stops)\n`);
    const lost = new Promise<number>((resolve) => client.bus.once('fatal', () => resolve(exitCodes.unreachable)));
    const code = await Promise.race([finished.then(() => exitCodes.ok), stop.then(() => exitCodes.ok), lost]);
    for (const s of subscriptions) await s.close().catch(() => undefined);
    if (code === exitCodes.unreachable) io.err('fife tail: lost the broker connection\n');
    return code;
  });
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)];

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description('live call events from ecallmgr, one line each (NDJSON with --json)')
    .option('--call-id <id>', 'only this call (FreeSWITCH UUID)')
    .option('--event <name>', 'only these events (repeat or comma-separate)', collect)
    .option('--account <id>', 'only calls of this account (Custom-Channel-Vars Account-ID)')
    .option('--count <n>', 'exit after printing n events', positiveInt)
    .option('--json', 'each event as one line of JSON (NDJSON)', false)
    .addHelpText(
      'after',
      `
Examples:
  $ fife tail
  $ fife tail --event CHANNEL_ANSWER --event CHANNEL_DESTROY
  $ fife tail --call-id 5c1e2d3f-0b1a-4c5d-8e9f-a0b1c2d3e4f5 --json | jq -r '."Event-Name"'
  $ fife tail --account 0123456789abcdef0123456789abcdef --count 10`,
    )
    .action((opts: { callId?: string; event?: string[]; account?: string; count?: number; json: boolean }) => {
      const url = amqpUrlOrExit('tail');
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return runCli('tail', () =>
        tail(url, { ...(opts.callId ? { callId: opts.callId } : {}), ...(opts.event ? { events: opts.event } : {}), ...(opts.account ? { account: opts.account } : {}), ...(opts.count ? { count: opts.count } : {}), json: opts.json }, stop),
      );
    });
}
