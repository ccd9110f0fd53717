import type { Command } from 'commander';
import { isFifeError } from '@fife/api';
import { amqpUrlOrExit, positiveInt, runCli, userAtRealm, withCliClient } from '../cli-bus.js';
import { color, errorMessage, exitCodeFor, exitCodes, printJson, stdio, type Io } from '../output/index.js';

export interface OriginateOptions {
  /** Who rings first: USER@REALM (a registered device) or a FreeSWITCH dial target (sofia/…, loopback/…). */
  from: string;
  /** Where the answered call is transferred: a number in the dialplan. */
  to: string;
  account?: string;
  callerIdName?: string;
  callerIdNumber?: string;
  /** Seconds the first leg may ring. */
  timeoutS: number;
  json?: boolean;
}

/** The endpoint object for --from: a SIP user through the directory, or a route FreeSWITCH dials as is. */
export function fromEndpoint(from: string): Record<string, string> | { error: string } {
  if (from.includes('/')) return { 'Invite-Format': 'route', Route: from };
  const aor = userAtRealm(from);
  if (!aor) return { error: `--from ${from}: expected USER@REALM (e.g. 1001@sip.example.com) or a dial target (sofia/internal/…)` };
  return { 'Invite-Format': 'username', 'To-User': aor.user, 'To-Realm': aor.realm };
}

/** originate_req fields: ring `from`, and once it answers, transfer it to `to` (click-to-call). */
export function originateFields(opts: OriginateOptions): Record<string, unknown> | { error: string } {
  const endpoint = fromEndpoint(opts.from);
  if ('error' in endpoint) return endpoint;
  if (!/^[+*#0-9A-Za-z._-]+$/.test(opts.to)) return { error: `--to ${opts.to}: expected a number or extension` };
  return {
    Endpoints: [endpoint],
    'Application-Name': 'transfer',
    'Application-Data': { Route: opts.to },
    'Start-Control-Process': false,
    Timeout: opts.timeoutS,
    ...(opts.callerIdName ? { 'Outbound-Caller-ID-Name': opts.callerIdName } : {}),
    ...(opts.callerIdNumber ? { 'Outbound-Caller-ID-Number': opts.callerIdNumber } : {}),
    ...(opts.account ? { 'Custom-Channel-Vars': { 'Account-ID': opts.account } } : {}),
  };
}

/**
 * `fife originate`: progress lines while ecallmgr works, then the outcome. Exit 0 answered and
 * transferred, 1 the call failed (busy, no answer, …), 3 no ecallmgr took the request or it never answered.
 */
export async function originateCall(url: string, opts: OriginateOptions, io: Io = stdio): Promise<number> {
  const fields = originateFields(opts);
  if ('error' in fields) {
    io.err(`fife originate: ${fields.error}\n`);
    return exitCodes.usage;
  }
  const say = (line: string, reply?: Record<string, unknown>) => (opts.json ? reply && printJson(reply, { ndjson: true, io }) : io.out(`${line}\n`));
  return withCliClient(url, async (client) => {
    say(`ringing ${opts.from} (up to ${opts.timeoutS} s), then transferring to ${opts.to} …`);
    try {
      const result = await client.calls.originate(fields as never, {
        timeoutMs: opts.timeoutS * 1000 + 15_000,
        onProgress: (r) => say(`${color.dim(String(r['Event-Name']))}: call id ${String(r['Outbound-Call-ID'] ?? r['Call-ID'] ?? '?')}`, r),
      });
      say(`${color.ok('answered')}: ${opts.from} was transferred to ${opts.to} (call id ${String(result['Call-ID'])})`, result);
      return exitCodes.ok;
    } catch (err) {
      const reply = isFifeError(err, 'client.remote_error') ? ((err.context as { reply?: Record<string, unknown> }).reply ?? {}) : undefined;
      if (reply) {
        say(`${color.bad('failed')}: ${String(reply['Error-Message'] ?? 'unknown cause')}${reply['Call-ID'] ? ` (call id ${String(reply['Call-ID'])})` : ''}`, reply);
        return exitCodes.failure;
      }
      const why = isFifeError(err, 'bus.unroutable') ? 'no ecallmgr consumes originate requests (is one running with FreeSWITCH nodes?)' : errorMessage(err);
      io.err(`fife originate: ${why}\n`);
      return exitCodeFor(err);
    }
  });
}

export function registerOriginate(program: Command): void {
  program
    .command('originate')
    .description('place a call: ring --from, and when it answers, transfer it to --to (originate_req to ecallmgr)')
    .requiredOption('--from <user@realm|dial-target>', 'who rings first: a registered SIP user or a FreeSWITCH dial target')
    .requiredOption('--to <number>', 'where the answered call goes (dialplan number)')
    .option('--account <id>', 'account the call belongs to (Custom-Channel-Vars Account-ID)')
    .option('--caller-id-name <name>', 'caller id name shown on the first leg')
    .option('--caller-id-number <number>', 'caller id number shown on the first leg')
    .option('--timeout <seconds>', 'how long the first leg may ring', positiveInt, 30)
    .option('--json', 'every reply (progress and outcome) as one line of JSON', false)
    .addHelpText(
      'after',
      `
Exit codes: 0 answered and transferred, 1 the call failed (busy, no answer, …), 3 no ecallmgr / no answer in time.

Examples:
  $ fife originate --from 1001@sip.example.com --to 2000
  $ fife originate --from sofia/internal/sip:bob@192.0.2.10 --to 1001 --timeout 20 --json`,
    )
    .action((opts: { from: string; to: string; account?: string; callerIdName?: string; callerIdNumber?: string; timeout: number; json: boolean }) =>
      runCli('originate', () =>
        originateCall(amqpUrlOrExit('originate'), {
          from: opts.from,
          to: opts.to,
          timeoutS: opts.timeout,
          json: opts.json,
          ...(opts.account ? { account: opts.account } : {}),
          ...(opts.callerIdName ? { callerIdName: opts.callerIdName } : {}),
          ...(opts.callerIdNumber ? { callerIdNumber: opts.callerIdNumber } : {}),
        }),
      ),
    );
}
