import type { ApplyReport } from './apply.js';
import { formatIssue, type ProvisionIssue } from './issues.js';

const SIGN: Record<string, string> = { created: '+', changed: '~', unchanged: '=', removed: '-', invalid: '!', failed: '!' };

/** One line per document (unchanged ones only when `verbose`), then the totals. */
export function formatReport(report: ApplyReport, options: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  for (const e of report.entries) {
    if (e.action === 'unchanged' && !options.verbose) continue;
    if (e.issue) {
      lines.push(`${SIGN[e.action]} ${formatIssue(e.issue)}`);
      continue;
    }
    const why = e.message ? `: ${e.message}` : '';
    lines.push(`${SIGN[e.action]} ${e.action.padEnd(9)} ${e.account} ${e.kind} ${e.name}${why}`);
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  const c = report.counts;
  const total = `${c.created} created, ${c.changed} changed, ${c.unchanged} unchanged, ${c.removed} removed`;
  const failed = c.invalid + c.failed > 0 ? `, ${c.invalid} invalid, ${c.failed} failed` : '';
  const mode = report.dryRun ? ' (dry run: nothing written)' : !report.written ? ' (nothing written)' : '';
  lines.push(`${report.file}: ${total}${failed}${mode}`);
  return `${lines.join('\n')}\n`;
}

export function formatIssues(issues: ProvisionIssue[]): string {
  return `${issues.map(formatIssue).join('\n')}\n`;
}
