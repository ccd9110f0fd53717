import { parseArgs } from 'node:util';
import { FifeError } from '@fife/api';

export interface RouteArgs {
  to: string;
  from?: string;
  account?: string;
  at?: string;
  json: boolean;
  timeoutMs: number;
}

export const routeUsage = 'usage: route --to NUMBER [--from USER@REALM] [--account ID] [--at ISO-INSTANT] [--json] [--timeout MS]';

/** `fife route` arguments; bad input is a FifeError naming the option. */
export function parseRouteArgs(argv: string[]): RouteArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        to: { type: 'string' },
        from: { type: 'string' },
        account: { type: 'string' },
        at: { type: 'string' },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '3000' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new FifeError('cli.usage', `${(err as Error).message}\n${routeUsage}`);
  }
  if (!values.to) throw new FifeError('cli.usage', `--to is required\n${routeUsage}`, { option: 'to' });
  if (!values.from && !values.account) throw new FifeError('cli.usage', `give --from USER@REALM or --account ID\n${routeUsage}`, { option: 'from' });
  if (values.at !== undefined && Number.isNaN(Date.parse(values.at))) throw new FifeError('cli.usage', `--at: not an ISO instant: ${values.at}`, { option: 'at' });
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new FifeError('cli.usage', `--timeout: not a positive integer: ${values.timeout}`, { option: 'timeout' });
  return {
    to: values.to,
    ...(values.from ? { from: values.from } : {}),
    ...(values.account ? { account: values.account } : {}),
    ...(values.at ? { at: new Date(values.at).toISOString() } : {}),
    json: values.json ?? false,
    timeoutMs,
  };
}

/** The dry_run_req fields for these arguments. */
export function dryRunFields(args: RouteArgs): Record<string, unknown> {
  return {
    To: args.to,
    ...(args.from ? { From: args.from } : {}),
    ...(args.account ? { 'Account-ID': args.account } : {}),
    ...(args.at ? { At: args.at } : {}),
  };
}

function describeRoute(route: Record<string, any>): string {
  const vars = (route['Custom-Channel-Vars'] ?? {}) as Record<string, string>;
  const timing = [vars['Endpoint-Delay'] ? `from ${vars['Endpoint-Delay']} s` : '', vars['Endpoint-Timeout'] ? `for ${vars['Endpoint-Timeout']} s` : ''].filter(Boolean);
  const target = route.Route ?? `${route['To-User']}@${route['To-Realm']}`;
  return `${target}${timing.length ? ` (${timing.join(', ')})` : ''}`;
}

/** A dry_run_resp for people: outcome, the plan step by step, then every reason in order. */
export function formatDryRun(args: RouteArgs, reply: Record<string, any>): string {
  const lines: string[] = [];
  const resp = (reply['Route-Resp'] ?? {}) as Record<string, any>;
  const outcome = reply.Result === 'error' ? `error ${resp['Route-Error-Code']} ${resp['Route-Error-Message']}` : String(reply.Result);
  lines.push(`${args.to}${args.from ? ` from ${args.from}` : ''} at ${reply.At}: ${outcome}`);
  if (reply.Result === 'bridge') {
    const steps = new Map<number, string[]>();
    for (const route of (resp.Routes ?? []) as Record<string, any>[]) {
      const step = Number(route['Fife-Step'] ?? steps.size);
      steps.set(step, [...(steps.get(step) ?? []), describeRoute(route)]);
    }
    for (const [step, legs] of [...steps].sort((a, b) => a[0] - b[0])) lines.push(`  step ${step + 1}: ${legs.join(' + ')}`);
  }
  if (reply.Result === 'park') for (const action of (reply.Actions ?? []) as Record<string, any>[]) lines.push(`  then ${action['Application-Name']}`);
  lines.push('why:');
  for (const reason of (reply.Reasons ?? []) as string[]) lines.push(`  - ${reason}`);
  return lines.join('\n');
}
