import type { Command } from 'commander';
import { applyFile, busPort, formatIssues, formatReport, loadProvisioningFile } from '@fife/provisioning';
import { amqpUrlOrExit, withCliBus } from '../cli-bus.js';
import { exitCodes, stdio, type Io } from '../output/index.js';

export type ProvisionIo = Io;

export interface ProvisionOptions {
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
  timeoutMs?: number;
}

/** Exit codes of `fife provision`. */
export const PROVISION_EXIT = { ok: exitCodes.ok, refused: exitCodes.failure, invalidFile: exitCodes.usage } as const;

/**
 * `fife provision FILE`: validates the file locally (names, references, types), then has every
 * document checked by the whapp that owns its kind, then writes. Returns the exit code.
 */
export async function runProvision(url: () => string, file: string, opts: ProvisionOptions = {}, io: ProvisionIo = stdio): Promise<number> {
  const parsed = await loadProvisioningFile(file);
  if (!parsed.ok) {
    io.err(opts.json ? `${JSON.stringify({ ok: false, issues: parsed.error }, null, 2)}\n` : formatIssues(parsed.error));
    return PROVISION_EXIT.invalidFile;
  }
  try {
    const report = await withCliBus(url(), (bus) =>
      applyFile(parsed.value, busPort(bus, { timeoutMs: opts.timeoutMs ?? 5000 }), { dryRun: opts.dryRun ?? false }),
    );
    io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, { verbose: opts.verbose ?? false }));
    return report.ok ? PROVISION_EXIT.ok : PROVISION_EXIT.refused;
  } catch (err) {
    io.err(`fife provision: ${(err as Error).message}\n`);
    return PROVISION_EXIT.refused;
  }
}

export function registerProvision(program: Command): void {
  program
    .command('provision <file>')
    .description('make accounts, devices, users, callflows, callgroups, calendars and resources match a YAML file')
    .option('--dry-run', 'validate with the owning whapps and show what would change; write nothing', false)
    .option('--json', 'print the report (or the file errors) as JSON', false)
    .option('-v, --verbose', 'list unchanged documents too', false)
    .option('--timeout <ms>', 'deadline of each request to a whapp', '5000')
    .addHelpText(
      'after',
      `
Every document is validated by the whapp that owns its kind (registrar: accounts, devices, users;
router: callflows, resources; callgroup: callgroups; calendar: calendars). If any document is refused,
nothing is written. Documents the file once created but no longer lists are removed (only those:
they carry pvt_provisioned); accounts are never removed.

Exit codes: 0 applied (or would apply), 1 a document was refused or a whapp did not answer,
2 the file itself is invalid (each error names the file, line, document and field).

Examples:
  $ fife provision docs/examples/provisioning.yaml --dry-run
  $ fife provision docs/examples/provisioning.yaml
  $ fife export --account acme > acme.yaml && fife provision acme.yaml     # all unchanged`,
    )
    .action(async (file: string, opts: { dryRun: boolean; json: boolean; verbose: boolean; timeout: string }) => {
      const code = await runProvision(() => amqpUrlOrExit('provision'), file, { ...opts, timeoutMs: Number(opts.timeout) });
      process.exit(code);
    });
}
