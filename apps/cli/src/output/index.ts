/**
 * How every `fife` command talks to people and to scripts. Small and stable on purpose:
 *
 *   exitCodes                      { ok: 0, failure: 1, usage: 2, unreachable: 3 } — see below
 *   exitCodeFor(err)               the exit code an error stands for (timeouts/broker down → 3, else 1)
 *   errorMessage(err)              one line for stderr (adds the FifeError code when there is one)
 *   isTty(stream?)                 stdout (or the given stream) is an interactive terminal
 *   colorEnabled(stream?)          colour on: a TTY and NO_COLOR unset (FORCE_COLOR=1 forces it on)
 *   color                          { ok, warn, bad, dim, bold, head } string → string, no-ops when colour is off
 *   table(columns, rows, opts?)    a string: a boxed cli-table3 table on a TTY, aligned plain text otherwise
 *   printJson(value, opts?)        JSON to stdout (indented; `{ ndjson: true }` → one line, for streams)
 *   Io / stdio                     { out, err } writers; commands take an Io so tests can capture output
 *
 * Exit codes (documented in docs/operations.md too):
 *   0 ok           the command did what was asked; for `status`, everything is healthy
 *   1 failure      the cluster answered but said no / is unhealthy (error reply, call failed, queue without consumers)
 *   2 usage        bad arguments or configuration (no AMQP_URL and no cluster.json, an unparsable option)
 *   3 unreachable  the broker could not be reached, or nobody answered before the deadline
 */
import Table from 'cli-table3';
import pc from 'picocolors';
import { isFifeError } from '@fife/api';

export const exitCodes = { ok: 0, failure: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const stdio: Io = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

const UNREACHABLE_FIFE_CODES = new Set(['bus.timeout', 'bus.unavailable', 'bus.unrecoverable', 'bus.unroutable', 'bus.closed']);
const UNREACHABLE_NET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']);

/** Timeouts and an unreachable broker are 3 (retry later); anything else that went wrong is 1. */
export function exitCodeFor(err: unknown): ExitCode {
  if (isFifeError(err)) return UNREACHABLE_FIFE_CODES.has(err.code) ? exitCodes.unreachable : exitCodes.failure;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNREACHABLE_NET_CODES.has(code)) return exitCodes.unreachable;
  // amqplib reports a refused connection as an AggregateError of per-address errors.
  const inner = (err as { errors?: unknown[] } | null)?.errors;
  if (Array.isArray(inner) && inner.some((e) => exitCodeFor(e) === exitCodes.unreachable)) return exitCodes.unreachable;
  return exitCodes.failure;
}

export function errorMessage(err: unknown): string {
  if (isFifeError(err)) return `${err.message} [${err.code}]`;
  const e = err as { message?: string; code?: string; errors?: Array<{ message?: string }> } | null;
  const message = e?.message || e?.errors?.[0]?.message || String(err);
  return e?.code && !message.includes(e.code) ? `${message} (${e.code})` : message;
}

export function isTty(stream: { isTTY?: boolean } = process.stdout): boolean {
  return stream.isTTY === true;
}

export function colorEnabled(stream: { isTTY?: boolean } = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return isTty(stream);
}

const palette = pc.createColors(colorEnabled());
export const color = {
  ok: palette.green,
  warn: palette.yellow,
  bad: palette.red,
  dim: palette.dim,
  bold: palette.bold,
  head: (s: string) => palette.bold(palette.cyan(s)),
};

export type Cell = string | number | boolean | null | undefined;
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleWidth = (s: string) => s.replace(ANSI, '').length;
const cellText = (c: Cell) => (c === null || c === undefined ? '' : String(c));

/**
 * Rows under headers. On a TTY a boxed table; otherwise columns padded with two spaces between
 * them, so `grep`/`awk` see one record per line. `opts.tty` overrides the detection (tests).
 */
export function table(columns: Array<string | Column>, rows: Cell[][], opts: { tty?: boolean } = {}): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { header: c } : c));
  const cells = rows.map((r) => cols.map((_, i) => cellText(r[i])));
  if (opts.tty ?? isTty()) {
    const t = new Table({
      head: cols.map((c) => color.head(c.header)),
      colAligns: cols.map((c) => c.align ?? 'left'),
      // compact: no rule between body rows (status tables grow long; rules halve what fits on screen).
      style: { head: [], border: [], compact: true },
    });
    t.push(...cells);
    return t.toString();
  }
  const widths = cols.map((c, i) => Math.max(visibleWidth(c.header), ...cells.map((r) => visibleWidth(r[i]!))));
  const line = (r: string[]) =>
    r
      .map((text, i) => {
        const pad = ' '.repeat(widths[i]! - visibleWidth(text));
        return cols[i]!.align === 'right' ? pad + text : i === r.length - 1 ? text : text + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(cols.map((c) => c.header)), ...cells.map(line)].join('\n');
}

export function printJson(value: unknown, opts: { ndjson?: boolean; io?: Io } = {}): void {
  (opts.io ?? stdio).out(`${opts.ndjson ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`);
}
