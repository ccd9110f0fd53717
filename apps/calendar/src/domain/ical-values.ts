import ICAL from 'ical.js';
import { civilOfWall, DAY, daysFromCivil } from './civil.js';

/**
 * A time property value read from ical.js's jCal form: its wall seconds, whether it is a DATE,
 * and how it is anchored (UTC, a TZID, or floating). Zone resolution happens later.
 */
export interface RawTime {
  isDate: boolean;
  wall: number;
  utc: boolean;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z)?)?$/;

/** Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[Z]`; undefined for anything invalid. */
export function rawTimeFromString(text: string): RawTime | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year === 0 && month === 0 && day === 0) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const days = daysFromCivil(year, month, day);
  if (m[4] === undefined) return { isDate: true, wall: days * DAY, utc: false };
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  return { isDate: false, wall: days * DAY + hour * 3600 + minute * 60 + second, utc: m[7] === 'Z' };
}

/** Reads an ical.js Time's fields directly (its toString is costly in the iteration loop). */
export function rawTimeFromIcal(t: ICAL.Time): RawTime | undefined {
  if (!t) return undefined;
  const { year, month, day } = t;
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const days = daysFromCivil(year, month, day);
  if (t.isDate) return { isDate: true, wall: days * DAY, utc: false };
  return { isDate: false, wall: days * DAY + t.hour * 3600 + t.minute * 60 + t.second, utc: t.zone?.tzid === 'UTC' };
}

/**
 * ical.js turns a bare `YYYYMMDD` in a DATE-TIME property into `YYYY-MM-DDT::`; it is a DATE (as
 * libical reads it). Other malformed values stay invalid.
 */
const MANGLED_DATE = /^(\d{4}-\d{2}-\d{2})T::$/;

export function rawTimeFromJcal(value: unknown): RawTime | undefined {
  if (typeof value !== 'string') return undefined;
  const mangled = MANGLED_DATE.exec(value);
  return rawTimeFromString(mangled ? mangled[1]! : value);
}

/** The raw jCal values of a property (strings, or [start, end|duration] pairs for PERIOD), never decoded by ical.js. */
export function jcalValues(prop: ICAL.Property): unknown[] {
  return (prop.toJSON() as unknown[]).slice(3);
}

/** A floating ical.js Time for a wall value (what the recurrence iterator runs on). */
export function icalTimeOfWall(wall: number, isDate: boolean): ICAL.Time {
  const c = civilOfWall(wall);
  return ICAL.Time.fromData({
    year: c.year,
    month: c.month,
    day: c.day,
    hour: isDate ? 0 : c.hour,
    minute: isDate ? 0 : c.minute,
    second: isDate ? 0 : c.second,
    isDate,
  });
}

/** Seconds of a jCal/ical.js DURATION split into nominal days and exact seconds. */
export interface NominalDuration {
  days: number;
  seconds: number;
}

export function durationOf(d: ICAL.Duration): NominalDuration {
  const sign = d.isNegative ? -1 : 1;
  return {
    days: sign * (d.weeks * 7 + d.days),
    seconds: sign * (d.hours * 3600 + d.minutes * 60 + d.seconds),
  };
}
