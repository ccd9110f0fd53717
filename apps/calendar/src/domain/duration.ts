import ICAL from 'ical.js';
import { DAY } from './civil.js';
import { durationOf } from './ical-values.js';
import { epochOf, firstTimeValue, seriesZone, type TimeValue, type ZoneContext } from './time-value.js';
import type { TzidResolver } from './tzid.js';
import { toUtc, type Zone } from './zone.js';

/**
 * How an instance's end follows from its start. `nominal`: whole days keep the wall time (then
 * exact seconds); `wall`: a wall-clock difference in the series zone (Fife's reading of a same-zone
 * DTEND); `exact`: elapsed seconds.
 */
export type Span =
  | { kind: 'exact'; seconds: number }
  | { kind: 'nominal'; days: number; seconds: number }
  | { kind: 'wall'; seconds: number };

export const ZERO_SPAN: Span = { kind: 'exact', seconds: 0 };

/** End of an instance starting at `start` (epoch) whose wall time in `zone` is `wall`; never before the start. */
export function applySpan(span: Span, start: number, wall: number, zone: Zone): number {
  let end: number;
  if (span.kind === 'nominal') end = span.days ? toUtc(zone, wall + span.days * DAY) + span.seconds : start + span.seconds;
  else if (span.kind === 'wall') end = toUtc(zone, wall + span.seconds);
  else end = start + span.seconds;
  return end < start ? start : end;
}

export function spanOfDuration(d: ICAL.Duration): Span {
  const { days, seconds } = durationOf(d);
  return { kind: 'nominal', days, seconds };
}

export interface SpanWarning {
  (message: string): void;
}

const INVALID_START: TimeValue = { isDate: false, wall: 0, zone: null };

/** The span of an event from DTEND (preferred when usable), DURATION, or the defaults (0 s; 1 day for a DATE). */
export function spanOfEvent(
  event: ICAL.Component,
  start: TimeValue | undefined,
  ctx: ZoneContext,
  tz: TzidResolver,
  warn: SpanWarning,
): Span {
  const dt = start ?? INVALID_START;
  const sz = seriesZone(dt, ctx);
  const dtendProp = event.getFirstProperty('dtend');
  if (dtendProp) {
    const de = firstTimeValue(dtendProp, tz);
    if (de) {
      let span: Span;
      if (dt.isDate && de.isDate) span = { kind: 'nominal', days: Math.trunc((de.wall - dt.wall) / DAY), seconds: 0 };
      else if (ctx.nominalDtend && !dt.isDate && !de.isDate && (de.zone === dt.zone || !de.zone)) span = { kind: 'wall', seconds: de.wall - dt.wall };
      else span = { kind: 'exact', seconds: epochOf(de, ctx, sz) - epochOf(dt, ctx, sz) };
      if ((span.kind === 'nominal' && span.days < 0) || span.seconds < 0) {
        warn('DTEND before DTSTART, zero duration used');
        return span.kind === 'nominal' ? { kind: 'nominal', days: 0, seconds: 0 } : { ...span, seconds: 0 };
      }
      return span;
    }
  }
  const durationProp = event.getFirstProperty('duration');
  if (durationProp) {
    const value = durationProp.getFirstValue();
    if (value instanceof ICAL.Duration) {
      const span = spanOfDuration(value);
      if (span.kind === 'nominal' && (span.days < 0 || span.seconds < 0)) {
        warn('negative DURATION, zero duration used');
        return { kind: 'nominal', days: 0, seconds: 0 };
      }
      return span;
    }
  }
  return dt.isDate ? { kind: 'nominal', days: 1, seconds: 0 } : ZERO_SPAN;
}
