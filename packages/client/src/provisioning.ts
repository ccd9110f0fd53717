import { FifeError } from '@fife/api';
import type { Bus } from '@fife/bus';
import {
  applyFile,
  busPort,
  exportAccounts,
  formatIssue,
  loadProvisioningFile,
  parseProvisioningText,
  toYaml,
  type ApplyOptions,
  type ApplyReport,
  type Doc,
  type ListRequest,
  type ParsedFile,
  type ProvisioningPort,
  type ProvisionIssue,
  type PutOutcome,
  type PutRequest,
  type RemoveOutcome,
  type RemoveRequest,
} from '@fife/provisioning';

function invalidFile(issues: ProvisionIssue[]): FifeError {
  return new FifeError('provisioning.invalid_file', `invalid provisioning file:\n${issues.map(formatIssue).join('\n')}`, { issues });
}

/**
 * Provisioning over AMQP: one document at a time (put / remove / list, validated by the whapp that owns
 * the kind), or a whole declarative file (apply, export) as `fife provision` / `fife export` do.
 */
export class Provisioning {
  private readonly port: ProvisioningPort;

  constructor(bus: Bus, options: { timeoutMs?: number } = {}) {
    this.port = busPort(bus, options);
  }

  /** Creates or replaces one document; `invalid` outcomes name the field the owner refused. */
  put(req: PutRequest): Promise<PutOutcome> {
    return this.port.put(req);
  }

  remove(req: RemoveRequest): Promise<RemoveOutcome> {
    return this.port.remove(req);
  }

  /** Every document of a kind in an account (`{ kind: 'account' }`: every account). */
  list(req: ListRequest): Promise<Doc[]> {
    return this.port.list(req);
  }

  /**
   * Applies provisioning YAML (text, or a file parsed with @fife/provisioning). An invalid file throws
   * `provisioning.invalid_file` with `context.issues`; refused documents are in the report (`ok: false`).
   */
  async apply(source: string | ParsedFile, options: ApplyOptions & { file?: string } = {}): Promise<ApplyReport> {
    const parsed = typeof source === 'string' ? parseProvisioningText(source, options.file ?? '(yaml)') : { ok: true as const, value: source };
    if (!parsed.ok) throw invalidFile(parsed.error);
    return applyFile(parsed.value, this.port, options);
  }

  /** Reads a provisioning file from disk (`ics_file` relative to it) and applies it. */
  async applyPath(path: string, options: ApplyOptions = {}): Promise<ApplyReport> {
    const parsed = await loadProvisioningFile(path);
    if (!parsed.ok) throw invalidFile(parsed.error);
    return applyFile(parsed.value, this.port, options);
  }

  /** What is stored now, as a provisioning file object (every account, or the one named). */
  export(options: { account?: string } = {}): Promise<{ accounts: Record<string, unknown>[] }> {
    return exportAccounts(this.port, options);
  }

  /** Same, as YAML text that `apply` takes back unchanged. */
  async exportYaml(options: { account?: string } = {}): Promise<string> {
    return toYaml(await this.export(options));
  }
}
