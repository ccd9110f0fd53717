import type ICAL from 'ical.js';
import { civilOfWall, DAY, daysFromCivil } from './civil.js';
import { isSubDaily, runSubDailyRule } from './sub-daily-rule.js';
import { icalTimeOfWall, rawTimeFromIcal } from './ical-values.js';
import { type TimeValue, type ZoneContext } from './time-value.js';
import { toUtc, wallIn, type Zone } from './zone.js';

/** One generated start: its wall time (series frame) and its instant. */
export interface RuleHit {
  wall: number;
  epoch: number;
}

/** 9999-12-31: rules are never followed further. */
const MAX_EPOCH = 253402214400;

/** Safety bound for a single rule, far above any real calendar's need. */
const MAX_ITERATIONS = 5_000_000;

/**
 * Decides whether an instance is past UNTIL, reading UNTIL the way the reference does when the
 * rule and DTSTART disagree on their forms: a DATE UNTIL on a timed series covers that whole local
 * day, a floating UNTIL is in DTSTART's zone, a UTC UNTIL on an all-day series is compared with
 * the instance's local midnight.
 */
function untilTest(until: ICAL.Time | null, dt: TimeValue, sz: Zone, ctx: ZoneContext): (wall: number) => boolean {
  const u = until ? rawTimeFromIcal(until) : undefined;
  if (!u) return () => false;
  if (!dt.isDate && u.utc) return (wall) => toUtc(sz, wall) > u.wall;
  if (!dt.isDate && u.isDate) return (wall) => wall > u.wall + 86399;
  if (dt.isDate && u.utc) {
    const local = wallIn(ctx.calendar, u.wall);
    return (wall) => wall > local;
  }
  return (wall) => wall > u.wall;
}

function monthIndex(wall: number): number {
  const c = civilOfWall(wall);
  return c.year * 12 + c.month - 1;
}

/**
 * Instances ical.js produces that libical's iterator never reaches: MONTHLY rules with INTERVAL > 1
 * and BYMONTH only visit DTSTART's month plus multiples of INTERVAL (ical.js jumps to any BYMONTH
 * month); YEARLY rules with BYMONTHDAY alone keep DTSTART's month (libical's default BYMONTH).
 */
function phaseFilter(rule: ICAL.Recur, startWall: number): (wall: number) => boolean {
  const parts = rule.parts as Record<string, unknown>;
  const interval = Math.max(1, rule.interval || 1);
  if (rule.freq === 'MONTHLY' && interval > 1 && 'BYMONTH' in parts) {
    const first = monthIndex(startWall);
    return (wall) => (monthIndex(wall) - first) % interval !== 0;
  }
  if (rule.freq === 'YEARLY' && 'BYMONTHDAY' in parts && !['BYMONTH', 'BYWEEKNO', 'BYYEARDAY', 'BYDAY'].some((k) => k in parts)) {
    const month = civilOfWall(startWall).month;
    return (wall) => civilOfWall(wall).month !== month;
  }
  return () => false;
}

/** ical.js's own test of the restricting BYxxx parts, on the iterator's current instance. */
function matchesContractingParts(it: ICAL.RecurIterator): boolean {
  const check = (it as unknown as { check_contracting_rules?: () => boolean }).check_contracting_rules;
  return typeof check === 'function' ? check.call(it) : true;
}

class HorizonPassed extends Error {}
class RuleStalled extends Error {}

/** Steps without leaving the day (SECONDLY needs 86,400) before a rule counts as stalled. */
const MAX_IDLE_STEPS = 200_000;

const STEP_METHODS = ['next_second', 'next_minute', 'next_hour', 'next_day', 'next_week', 'next_month', 'next_year'];

/**
 * ical.js's iterator can search forever for a rule that never matches again (e.g. FREQ=DAILY with a
 * negative BYMONTHDAY, which its contracting check cannot match). Its step methods are wrapped so
 * the search stops once it runs past the horizon year — nothing after it is wanted anyway.
 */
function stopPastYear(it: ICAL.RecurIterator, lastYear: number): void {
  const target = it as unknown as Record<string, unknown>;
  let idle = 0;
  let lastDay = -1;
  for (const name of STEP_METHODS) {
    const step = target[name];
    if (typeof step !== 'function') continue;
    target[name] = function (this: ICAL.RecurIterator, ...args: unknown[]): unknown {
      const result: unknown = step.apply(this, args);
      const last = this.last;
      if (!last) return result;
      if (last.year > lastYear) throw new HorizonPassed();
      // A step that cannot advance (e.g. HOURLY on a DATE value) would spin forever.
      const day = (last.year * 13 + last.month) * 32 + last.day;
      if (day !== lastDay) {
        lastDay = day;
        idle = 0;
      } else if (++idle > MAX_IDLE_STEPS) throw new RuleStalled();
      return result;
    };
  }
}

/**
 * Runs one RRULE/EXRULE from DTSTART with ical.js's iterator (on wall time) and returns the starts
 * before `horizon`. ical.js's own UNTIL handling compares in its zone model, so UNTIL is applied here.
 */
export function runRule(
  rule: ICAL.Recur,
  dt: TimeValue,
  sz: Zone,
  ctx: ZoneContext,
  horizon: number,
  warn: (message: string) => void,
): RuleHit[] {
  const recur = rule.clone();
  const pastUntil = untilTest(recur.until, dt, sz, ctx);
  const count = recur.count && recur.count > 0 ? recur.count : Infinity;
  recur.until = null;
  recur.count = null;
  const stepZone = sz.icuZone;
  if (!dt.isDate && stepZone && isSubDaily(recur)) {
    return runSubDailyRule(recur, dt.wall, sz, stepZone, { horizon, count, pastUntil, maxSteps: MAX_ITERATIONS, warn });
  }
  const hits: RuleHit[] = [];
  const outOfPhase = phaseFilter(recur, dt.wall);
  const lastYear = civilOfWall(Math.min(horizon, MAX_EPOCH)).year + 1;
  // A bound ical.js also uses to stop searching years for a rule that never matches (else year 20000).
  recur.until = icalTimeOfWall(daysFromCivil(lastYear, 12, 31) * DAY, true);
  let it: ICAL.RecurIterator;
  try {
    it = recur.iterator(icalTimeOfWall(dt.wall, dt.isDate));
  } catch (err) {
    warn(`recurrence rule rejected: ${(err as Error).message}`);
    return hits;
  }
  const zone = dt.isDate ? ctx.calendar : sz;
  stopPastYear(it, lastYear);
  let generated = 0;
  for (let n = 0; ; n++) {
    if (n >= MAX_ITERATIONS) {
      warn(`rule truncated after ${MAX_ITERATIONS} iterations`);
      break;
    }
    let t: ICAL.Time | null;
    try {
      t = it.next();
    } catch (err) {
      if (err instanceof RuleStalled) warn('rule abandoned: its iteration does not advance');
      else if (!(err instanceof HorizonPassed)) warn(`recurrence rule failed: ${(err as Error).message}`);
      break;
    }
    if (!t) break;
    const raw = rawTimeFromIcal(t);
    if (!raw || pastUntil(raw.wall)) break;
    const epoch = toUtc(zone, raw.wall);
    if (epoch >= horizon) break;
    if (outOfPhase(raw.wall)) continue;
    // ical.js hands out DTSTART first even when it does not match the rule; such a DTSTART is an
    // extra instance (added by the caller anyway), not one of the COUNT.
    if (!(n === 0 && raw.wall === dt.wall && !matchesContractingParts(it))) {
      if (++generated > count) break;
    }
    hits.push({ wall: raw.wall, epoch });
  }
  return hits;
}

