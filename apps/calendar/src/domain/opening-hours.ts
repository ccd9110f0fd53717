import { mergeSpans, subtractSpans, type Span } from './interval-set.js';
import { StatusIndex } from './status-index.js';

export interface OpeningStatus<H, C> {
  open: boolean;
  /** When `open` next flips (epoch ms), or the window's end (`untilIsWindowEnd`). */
  until: number;
  untilIsWindowEnd: boolean;
  /** Business-hours intervals active at the instant. */
  hours: readonly H[];
  /** Closures (holidays, exceptional closings) active at the instant. */
  closures: readonly C[];
}

/**
 * Business hours combined with a closures calendar: open means inside a business-hours interval
 * and inside no closure. The open spans are precomputed (hours minus closures), so a query is a
 * few binary searches.
 */
export class OpeningHours<H extends Span, C extends Span> {
  private readonly open: StatusIndex<Span>;
  private readonly hours: StatusIndex<H>;
  private readonly closures: StatusIndex<C>;

  constructor(hours: readonly H[], closures: readonly C[], window: Span) {
    this.hours = new StatusIndex(hours, window);
    this.closures = new StatusIndex(closures, window);
    const openSpans = subtractSpans(this.hours.busySpans, mergeSpans(this.closures.busySpans));
    this.open = new StatusIndex(openSpans, window);
  }

  get from(): number {
    return this.open.from;
  }

  get to(): number {
    return this.open.to;
  }

  /** The open spans inside the window (sorted, disjoint). */
  get openSpans(): readonly Span[] {
    return this.open.busySpans;
  }

  isOpen(t: number): boolean {
    return this.open.busyAt(t);
  }

  statusAt(t: number): OpeningStatus<H, C> {
    const s = this.open.statusAt(t);
    return {
      open: s.busy,
      until: s.until,
      untilIsWindowEnd: s.untilIsWindowEnd,
      hours: this.hours.statusAt(t).active,
      closures: this.closures.statusAt(t).active,
    };
  }
}
