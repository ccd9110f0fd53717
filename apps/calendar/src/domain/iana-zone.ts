import { daysFromCivil, DAY } from './civil.js';
import { TransitionTable, UTC_ZONE, type Zone } from './zone.js';

/**
 * An IANA zone built from the ICU data Node ships (Intl), for TZIDs that name a zone without an
 * embedded VTIMEZONE. Offsets are sampled weekly and each change is located to the second by
 * bisection, so later look-ups are a binary search, not an Intl call.
 */
const FIRST_YEAR = 1900;
const LAST_YEAR = 2100;
const NARROW_FIRST_YEAR = 1995;
const NARROW_LAST_YEAR = 2045;
const SAMPLE_STEP = 7 * DAY;

class IntlOffsetProbe {
  private readonly format: Intl.DateTimeFormat;

  constructor(timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  }

  offsetAt(epoch: number): number {
    const parts: Record<string, string> = {};
    for (const p of this.format.formatToParts(epoch * 1000)) parts[p.type] = p.value;
    let year = Number(parts.year);
    if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
    const wall =
      daysFromCivil(year, Number(parts.month), Number(parts.day)) * DAY +
      Number(parts.hour) * 3600 +
      Number(parts.minute) * 60 +
      Number(parts.second);
    return wall - epoch;
  }
}

class IanaZone implements Zone {
  private table: TransitionTable | undefined;

  get icuZone(): Zone {
    return this;
  }
  private coveredFrom = 0;
  private coveredTo = 0;

  constructor(
    readonly id: string,
    private readonly probe: IntlOffsetProbe,
  ) {}

  offsetAt(epoch: number): number {
    if (!this.table || epoch < this.coveredFrom || epoch >= this.coveredTo) this.cover(epoch);
    return this.table!.offsetAt(epoch);
  }

  /** Scans 1995-2045 first (what calendars use); widens to 1900-2100 only when asked outside it. */
  private cover(epoch: number): void {
    const narrowFrom = daysFromCivil(NARROW_FIRST_YEAR, 1, 1) * DAY;
    const narrowTo = daysFromCivil(NARROW_LAST_YEAR, 1, 1) * DAY;
    const wide = this.table !== undefined || epoch < narrowFrom || epoch >= narrowTo;
    this.coveredFrom = wide ? -Infinity : narrowFrom;
    this.coveredTo = wide ? Infinity : narrowTo;
    this.table = this.scan(wide ? daysFromCivil(FIRST_YEAR, 1, 1) * DAY : narrowFrom, wide ? daysFromCivil(LAST_YEAR, 1, 1) * DAY : narrowTo);
  }

  private scan(start: number, end: number): TransitionTable {
    let prevAt = start;
    let prevOffset = this.probe.offsetAt(start);
    const table = new TransitionTable(prevOffset);
    for (let t = start + SAMPLE_STEP; t < end + SAMPLE_STEP; t += SAMPLE_STEP) {
      const offset = this.probe.offsetAt(t);
      if (offset !== prevOffset) this.locate(table, prevAt, t, prevOffset);
      prevAt = t;
      prevOffset = offset;
    }
    return table;
  }

  /** Finds every change in (lo, hi] (normally one) and records it. */
  private locate(table: TransitionTable, lo: number, hi: number, loOffset: number): void {
    const hiOffset = this.probe.offsetAt(hi);
    if (hiOffset === loOffset) return;
    if (hi - lo <= 1) {
      table.push(hi, hiOffset);
      return;
    }
    const mid = lo + Math.floor((hi - lo) / 2);
    const midOffset = this.probe.offsetAt(mid);
    this.locate(table, lo, mid, loOffset);
    this.locate(table, mid, hi, midOffset);
  }
}

const cache = new Map<string, Zone | null>();
const UTC_NAMES = new Set(['Z', 'UTC', 'GMT', 'Etc/UTC', 'Etc/GMT']);

/**
 * The builtin zone of that exact name, or undefined. Names are case-sensitive as in the tz
 * database (ICU would accept `europe/brussels`; the reference does not).
 */
export function ianaZone(name: string): Zone | undefined {
  if (UTC_NAMES.has(name)) return UTC_ZONE;
  const hit = cache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const zone = makeIanaZone(name);
  cache.set(name, zone ?? null);
  return zone;
}

function makeIanaZone(name: string): Zone | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(name)) return undefined;
  let probe: IntlOffsetProbe;
  let resolved: string;
  try {
    probe = new IntlOffsetProbe(name);
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return undefined;
  return new IanaZone(name, probe);
}
