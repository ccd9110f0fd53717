import type ICAL from 'ical.js';
import { jcalValues } from './ical-values.js';
import { DAY } from './civil.js';
import { rawTimeFromJcal } from './ical-values.js';
import type { TzidResolver } from './tzid.js';
import { toUtc, UTC_ZONE, wallIn, type Zone } from './zone.js';

/**
 * A resolved time value: wall seconds, DATE or DATE-TIME, and its zone (UTC, a TZID's zone, or
 * null for floating — also the case of an unknown TZID).
 */
export interface TimeValue {
  isDate: boolean;
  wall: number;
  zone: Zone | null;
}

/** Resolves one raw jCal value of `prop` (its TZID parameter applies). */
export function timeValueOf(prop: ICAL.Property, value: unknown, tz: TzidResolver): TimeValue | undefined {
  const raw = rawTimeFromJcal(value);
  if (!raw) return undefined;
  if (raw.isDate) return { isDate: true, wall: raw.wall, zone: null };
  if (raw.utc) return { isDate: false, wall: raw.wall, zone: UTC_ZONE };
  const tzid = prop.getParameter('tzid');
  const name = Array.isArray(tzid) ? tzid[0] : tzid;
  return { isDate: false, wall: raw.wall, zone: typeof name === 'string' && name !== '' ? tz.resolve(name) : null };
}

/**
 * The zones an expansion runs with: `calendar` reads DATE values and floating times that have no
 * series to belong to (the default zone).
 */
export interface ZoneContext {
  calendar: Zone;
  /** Same-zone DTEND as a wall-clock difference (Fife's policy) rather than exact seconds. */
  nominalDtend: boolean;
}

/** Epoch of a value: DATEs at midnight of the default zone, floating DATE-TIMEs in `series` (or the default zone). */
export function epochOf(v: TimeValue, ctx: ZoneContext, series?: Zone): number {
  if (v.isDate) return toUtc(ctx.calendar, v.wall);
  if (v.zone) return toUtc(v.zone, v.wall);
  return toUtc(series ?? ctx.calendar, v.wall);
}

/** The zone a series' local times live in. */
export function seriesZone(v: TimeValue, ctx: ZoneContext): Zone {
  return v.isDate || !v.zone ? ctx.calendar : v.zone;
}

/** Wall time of an instant in a zone, as a day number. */
export function dayIn(zone: Zone, epoch: number): number {
  return Math.floor(wallIn(zone, epoch) / DAY);
}

/** The first value of a time property, resolved. */
export function firstTimeValue(prop: ICAL.Property | null, tz: TzidResolver): TimeValue | undefined {
  return prop ? timeValueOf(prop, jcalValues(prop)[0], tz) : undefined;
}
