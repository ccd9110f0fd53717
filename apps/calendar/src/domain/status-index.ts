import { FifeError } from '@fife/api';
import { mergeSpans, type Span } from './interval-set.js';

/** What holds at an instant. */
export interface StatusAt<T> {
  busy: boolean;
  /**
   * When `busy` next flips (epoch ms). At the window's end when nothing flips before it; then
   * `untilIsWindowEnd` is true and the state may well continue past it.
   */
  until: number;
  untilIsWindowEnd: boolean;
  /** The items active at the instant (start <= t < end), in start order. */
  active: readonly T[];
  /** When the set of active items next changes (epoch ms), at most the window's end. */
  nextChange: number;
}

/** Index position of the last boundary <= t (boundaries sorted ascending), or -1. */
function floorIndex(boundaries: Float64Array, t: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (boundaries[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Busy/open status over a window `[from, to)` of expanded intervals. The window is cut into
 * elementary segments at every start and end; each segment knows its active items and when the
 * busy flag next flips, so `statusAt` is one binary search (O(log n)) and no allocation.
 */
export class StatusIndex<T extends Span> {
  readonly from: number;
  readonly to: number;
  /** Merged busy spans inside the window. */
  readonly busySpans: readonly Span[];
  private readonly bounds: Float64Array;
  private readonly segActive: (readonly T[])[];
  private readonly segUntil: Float64Array;

  constructor(items: readonly T[], window: Span) {
    if (!(window.end > window.start)) {
      throw new FifeError('calendar.window', `empty status window [${window.start}, ${window.end})`, { ...window });
    }
    this.from = window.start;
    this.to = window.end;
    const inside = items.filter((i) => i.end > i.start && i.start < this.to && i.end > this.from);
    inside.sort((a, b) => a.start - b.start || a.end - b.end);
    this.busySpans = mergeSpans(inside.map((i) => ({ start: Math.max(i.start, this.from), end: Math.min(i.end, this.to) })));
    const cuts = new Set<number>([this.from, this.to]);
    for (const i of inside) {
      if (i.start > this.from) cuts.add(i.start);
      if (i.end < this.to) cuts.add(i.end);
    }
    this.bounds = Float64Array.from([...cuts].sort((a, b) => a - b));
    this.segActive = this.activeBySegment(inside);
    this.segUntil = this.flipTimes();
  }

  private activeBySegment(inside: readonly T[]): (readonly T[])[] {
    const n = this.bounds.length - 1;
    const lists: T[][] = Array.from({ length: n }, () => []);
    for (const item of inside) {
      const first = Math.max(0, floorIndex(this.bounds, item.start));
      for (let k = first; k < n && this.bounds[k]! < item.end; k++) lists[k]!.push(item);
    }
    return lists.map((l) => (l.length ? l : NONE));
  }

  private flipTimes(): Float64Array {
    const n = this.bounds.length - 1;
    const until = new Float64Array(n);
    let next = this.to;
    for (let k = n - 1; k >= 0; k--) {
      const busy = this.segActive[k]!.length > 0;
      const laterBusy = k + 1 < n ? this.segActive[k + 1]!.length > 0 : busy;
      if (k + 1 < n && laterBusy !== busy) next = this.bounds[k + 1]!;
      until[k] = next;
    }
    return until;
  }

  covers(t: number): boolean {
    return t >= this.from && t < this.to;
  }

  statusAt(t: number): StatusAt<T> {
    if (!this.covers(t)) {
      throw new FifeError('calendar.window', `instant ${new Date(t).toISOString()} is outside the indexed window`, { t, from: this.from, to: this.to });
    }
    const k = floorIndex(this.bounds, t);
    const active = this.segActive[k]!;
    const until = this.segUntil[k]!;
    return { busy: active.length > 0, until, untilIsWindowEnd: until === this.to, active, nextChange: this.bounds[k + 1]! };
  }

  /** Busy flag alone (the hot path of routing decisions). */
  busyAt(t: number): boolean {
    if (!this.covers(t)) return this.statusAt(t).busy;
    return this.segActive[floorIndex(this.bounds, t)]!.length > 0;
  }

  get segmentCount(): number {
    return this.bounds.length - 1;
  }
}

/**
 * A status index over a window that follows the clock: `statusAt(t)` outside the current window
 * (or within `refreshBefore` of its end) rebuilds it as `[t, t + windowMs)` from `source`.
 */
export class RollingStatus<T extends Span> {
  private index: StatusIndex<T> | undefined;

  constructor(
    private readonly source: (from: number, to: number) => readonly T[],
    private readonly windowMs: number,
    private readonly refreshBeforeMs = 0,
  ) {
    if (!(windowMs > refreshBeforeMs && refreshBeforeMs >= 0)) {
      throw new FifeError('calendar.window', 'window must be longer than the refresh margin', { windowMs, refreshBeforeMs });
    }
  }

  /** The index covering t, rebuilt when t is outside it or near its end. */
  at(t: number): StatusIndex<T> {
    const idx = this.index;
    if (idx && t >= idx.from && t < idx.to - this.refreshBeforeMs) return idx;
    this.index = new StatusIndex(this.source(t, t + this.windowMs), { start: t, end: t + this.windowMs });
    return this.index;
  }

  statusAt(t: number): StatusAt<T> {
    return this.at(t).statusAt(t);
  }
}
