import { DAY } from './civil.js';

/** A time zone reduced to what the expansion needs: the UTC offset (seconds) in force at an instant. */
export interface Zone {
  readonly id: string;
  offsetAt(epoch: number): number;
  /**
   * The tz-database zone the reference's recurrence engine (libical on ICU) associates with this
   * zone, if any: sub-daily rules then step in elapsed time in that zone. Undefined: wall clock.
   */
  readonly icuZone?: Zone | undefined;
}

export const UTC_ZONE: Zone = { id: 'UTC', offsetAt: () => 0 };

/** Offset changes sorted by instant; before the first change the offset is `before`. */
export class TransitionTable {
  private readonly at: number[] = [];
  private readonly offsets: number[] = [];

  constructor(private readonly before: number) {}

  /** Changes must be pushed in increasing instant order. */
  push(epoch: number, offset: number): void {
    this.at.push(epoch);
    this.offsets.push(offset);
  }

  offsetAt(epoch: number): number {
    const at = this.at;
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at[mid]! <= epoch) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? this.before : this.offsets[lo - 1]!;
  }

  get lastInstant(): number | undefined {
    return this.at[this.at.length - 1];
  }
}

/**
 * The UTC readings of a local wall time near an offset change: `u1` with the offset before it, `u2`
 * with the one after, each flagged valid when the zone really has that offset at that instant.
 */
function readings(zone: Zone, wall: number): { single: number } | { u1: number; u2: number; v1: boolean; v2: boolean } {
  const before = zone.offsetAt(wall - DAY);
  const after = zone.offsetAt(wall + DAY);
  if (before === after) return { single: wall - before };
  const u1 = wall - before;
  const u2 = wall - after;
  return { u1, u2, v1: zone.offsetAt(u1) === before, v2: zone.offsetAt(u2) === after };
}

/**
 * Local wall time to UTC with RFC 5545 3.3.5 semantics: a time in a DST gap takes the offset from
 * before the gap (02:30 becomes 03:30 summer time); a repeated time is its first occurrence.
 */
export function toUtc(zone: Zone, wall: number): number {
  if (zone === UTC_ZONE) return wall;
  const r = readings(zone, wall);
  if ('single' in r) return r.single;
  if (r.v1 && r.v2) return Math.min(r.u1, r.u2);
  return r.v2 && !r.v1 ? r.u2 : r.u1;
}

export function wallIn(zone: Zone, epoch: number): number {
  return epoch + zone.offsetAt(epoch);
}

/** Local wall time to UTC taking the later reading of a repeated time (libical's own choice). */
export function toUtcLater(zone: Zone, wall: number): number {
  if (zone === UTC_ZONE) return wall;
  const r = readings(zone, wall);
  if ('single' in r) return r.single;
  if (r.v1 && r.v2) return Math.max(r.u1, r.u2);
  return r.v2 ? r.u2 : r.u1;
}
