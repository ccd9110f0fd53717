import type { Command } from 'commander';
import { amqpUrlOrExit, positiveInt, runCli, userAtRealm, withCliClient } from '../cli-bus.js';
import { color, exitCodes, printJson, stdio, table, type Io } from '../output/index.js';

export interface RegOptions {
  /** USER@REALM, or just a realm with --realm; neither = every realm. */
  aor?: string;
  realm?: string;
  json?: boolean;
  timeoutMs: number;
}

/** What to ask: `1001@sip.example.com` → that user; `--realm R` → the realm; nothing → every realm. */
export function regTarget(opts: Pick<RegOptions, 'aor' | 'realm'>): { realm: string; username?: string } | { error: string } {
  if (opts.aor && opts.realm) return { error: 'give USER@REALM or --realm, not both' };
  if (opts.aor) {
    const aor = userAtRealm(opts.aor);
    if (!aor) return { error: `${opts.aor}: expected USER@REALM, e.g. 1001@sip.example.com` };
    return { username: aor.user, realm: aor.realm };
  }
  return { realm: opts.realm ?? 'all' };
}

const source = (r: Record<string, unknown>) => {
  const ip = r['Source-IP'] ?? r['Network-IP'];
  const port = r['Source-Port'] ?? r['Network-Port'];
  return ip ? `${String(ip)}${port ? `:${String(port)}` : ''}` : '';
};

/**
 * `fife reg`: live registrations from every registrar (merged, newest per contact). Exit 0 when some
 * were found, 1 when none match, 3 when no registrar answered at all.
 */
export async function showRegistrations(url: string, opts: RegOptions, io: Io = stdio): Promise<number> {
  const target = regTarget(opts);
  if ('error' in target) {
    io.err(`fife reg: ${target.error}\n`);
    return exitCodes.usage;
  }
  return withCliClient(url, async (client) => {
    // Asked side by side: an empty answer means "none registered" only if some registrar is running.
    const [found, registrars] = await Promise.all([
      client.registrations.query({ ...target, timeoutMs: opts.timeoutMs }),
      client.system.processes('registrar', opts.timeoutMs),
    ]);
    if (registrars.length === 0 && found.length === 0) {
      io.err(`fife reg: no registrar answered within ${opts.timeoutMs} ms\n`);
      return exitCodes.unreachable;
    }
    const sorted = [...found].sort((a, b) => `${a.Realm}/${a.Username}/${a.Contact}`.localeCompare(`${b.Realm}/${b.Username}/${b.Contact}`));
    if (opts.json) printJson(sorted, { io });
    else if (sorted.length === 0) io.out(`${color.warn('no registrations')} for ${target.username ? `${target.username}@` : ''}${target.realm}\n`);
    else
      io.out(
        `${table(
          ['USER', 'REALM', 'CONTACT', 'SOURCE', 'USER-AGENT', { header: 'EXPIRES', align: 'right' }],
          sorted.map((r) => [r.Username, r.Realm, r.Contact, source(r), r['User-Agent'], r.Expires === undefined ? '' : `${r.Expires}s`]),
        )}\n${color.dim(`${sorted.length} registration${sorted.length === 1 ? '' : 's'}`)}\n`,
      );
    return sorted.length > 0 ? exitCodes.ok : exitCodes.failure;
  });
}

export function registerReg(program: Command): void {
  program
    .command('reg [user@realm]')
    .description('live SIP registrations, as the registrars know them (reg_query to all, merged)')
    .option('--realm <realm>', 'every registration of one realm')
    .option('--timeout <ms>', 'how long to collect registrar answers', positiveInt, 1500)
    .option('--json', 'the registration objects as JSON', false)
    .addHelpText(
      'after',
      `
Exit codes: 0 registrations found, 1 none match, 3 no registrar answered.

Examples:
  $ fife reg                         # every realm
  $ fife reg --realm sip.example.com
  $ fife reg 1001@sip.example.com && echo "1001 is registered"
  $ fife reg --realm sip.example.com --json | jq -r '.[].Contact'`,
    )
    .action((aor: string | undefined, opts: { realm?: string; timeout: number; json: boolean }) =>
      runCli('reg', () => showRegistrations(amqpUrlOrExit('reg'), { ...(aor ? { aor } : {}), ...(opts.realm ? { realm: opts.realm } : {}), json: opts.json, timeoutMs: opts.timeout })),
    );
}
