import { readFileSync } from 'node:fs';
import { isFifeError } from '@fife/api';
import { expand, toOracleTsv, type BusyInterval } from '../domain/index.js';

export interface ExpandFileOptions {
  from: string;
  to: string;
  /** Zone of DATE values and floating times (the reference's default zone). */
  tz: string;
}

export interface ExpandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Exit codes in the sysexits spirit: 2 = the calendar does not parse, 64 = bad usage, 66 = no file. */
export const EXPAND_EXIT = { ok: 0, parse: 2, usage: 64, noInput: 66 } as const;

/**
 * Expands one .ics file and prints it: the reference expander's TSV (the default), or the intervals as
 * JSON. Shared by `apps/calendar/src/bin/expand.ts` and `fife calendar expand`. Returns the exit code.
 */
export function expandFile(file: string, opts: ExpandFileOptions & { json?: boolean }, io: ExpandIo): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    io.err(`${file}: ${(err as Error).message}\n`);
    return EXPAND_EXIT.noInput;
  }
  let intervals: BusyInterval[];
  try {
    intervals = expand(text, { from: opts.from, to: opts.to, defaultZone: opts.tz });
  } catch (err) {
    if (!isFifeError(err)) throw err;
    io.err(`${file}: ${err.code}: ${err.message}\n`);
    return err.code === 'calendar.parse' ? EXPAND_EXIT.parse : EXPAND_EXIT.usage;
  }
  io.out(opts.json ? `${JSON.stringify(intervals.map(jsonInterval))}\n` : toOracleTsv(intervals));
  return EXPAND_EXIT.ok;
}

function jsonInterval(i: BusyInterval): Record<string, unknown> {
  return { uid: i.uid, summary: i.summary, start: new Date(i.start).toISOString(), end: new Date(i.end).toISOString(), categories: i.categories, attendees: i.attendees, transparent: i.transparent };
}
