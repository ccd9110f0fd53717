import { formatUtc } from './civil.js';
import type { BusyInterval } from './schemas.js';

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeField(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!);
}

/** SUMMARY trimmed of surrounding blanks the way the reference trims (space, tab, CR, LF only). */
function trimBlanks(text: string): string {
  return text.replace(/^[ \t\r\n]+/, '').replace(/[ \t\r\n]+$/, '');
}

export function oracleLine(i: Pick<BusyInterval, 'uid' | 'summary' | 'start' | 'end'>): string {
  const start = formatUtc(Math.floor(i.start / 1000));
  const end = formatUtc(Math.floor(i.end / 1000));
  return `${escapeField(i.uid)}\t${start}\t${end}\t${escapeField(trimBlanks(i.summary))}`;
}

/** The reference expander's TSV: one line per interval, sorted bytewise, each line ending in LF. */
export function toOracleTsv(intervals: readonly Pick<BusyInterval, 'uid' | 'summary' | 'start' | 'end'>[]): string {
  const lines = intervals.map((i) => Buffer.from(oracleLine(i), 'utf8'));
  lines.sort(Buffer.compare);
  return lines.map((l) => l.toString('utf8') + '\n').join('');
}
