import type ICAL from 'ical.js';
import { civilOfWall, daysFromCivil, DAY } from './civil.js';
import type { RuleHit } from './rule.js';
import { toUtc, toUtcLater, wallIn, type Zone } from './zone.js';

/**
 * HOURLY, MINUTELY and SECONDLY rules step in elapsed time, not on the wall clock: 22:00 every 5
 * hours is 03:00 then 08:00 before a spring-forward night but 04:00 then 09:00 after it, as libical
 * iterates (ical.js steps the wall clock instead). The BYxxx restrictions are read on the local
 * wall clock; as in libical's restriction test, only plain weekdays and positive month/year days can
 * match. Each step starts from the previous local time read back to UTC the libical way (a repeated
 * local time as its later occurrence), and a repeated local time is emitted as its first occurrence,
 * so the instances around a fall-back night come out as the reference's.
 */
const UNIT: Record<string, number> = { HOURLY: 3600, MINUTELY: 60, SECONDLY: 1 };
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

export function isSubDaily(rule: ICAL.Recur): boolean {
  return rule.freq in UNIT && !('BYWEEKNO' in rule.parts);
}

interface Restriction {
  months?: Set<number>;
  monthDays?: Set<number>;
  yearDays?: Set<number>;
  weekdays?: Set<number>;
  hours?: Set<number>;
  minutes?: Set<number>;
  seconds?: Set<number>;
}

function numbers(values: unknown[] | undefined): Set<number> | undefined {
  return values ? new Set(values.map(Number)) : undefined;
}

function restriction(rule: ICAL.Recur): Restriction {
  const p = rule.parts as Record<string, unknown[] | undefined>;
  const r: Restriction = {
    months: numbers(p.BYMONTH),
    monthDays: numbers(p.BYMONTHDAY),
    yearDays: numbers(p.BYYEARDAY),
    hours: numbers(p.BYHOUR),
  };
  if (p.BYDAY) r.weekdays = new Set(p.BYDAY.map((d) => WEEKDAYS.indexOf(String(d))).filter((i) => i >= 0));
  if (rule.freq !== 'HOURLY') r.minutes = numbers(p.BYMINUTE);
  if (rule.freq === 'SECONDLY') r.seconds = numbers(p.BYSECOND);
  return r;
}

function passes(r: Restriction, wall: number): boolean {
  const c = civilOfWall(wall);
  if (r.months && !r.months.has(c.month)) return false;
  if (r.monthDays && !r.monthDays.has(c.day)) return false;
  if (r.yearDays && !r.yearDays.has(Math.floor(wall / DAY) - daysFromCivil(c.year, 1, 1) + 1)) return false;
  if (r.weekdays && !r.weekdays.has((((Math.floor(wall / DAY) + 4) % 7) + 7) % 7)) return false;
  if (r.hours && !r.hours.has(c.hour)) return false;
  if (r.minutes && !r.minutes.has(c.minute)) return false;
  if (r.seconds && !r.seconds.has(c.second)) return false;
  return true;
}

/** Offsets (seconds into a period) that BYMINUTE/BYSECOND expand to, sorted. */
function expansions(rule: ICAL.Recur, startWall: number): number[] {
  const p = rule.parts as Record<string, unknown[] | undefined>;
  const c = civilOfWall(startWall);
  const seconds = (p.BYSECOND ?? [c.second]).map(Number).filter((s) => s >= 0 && s < 60);
  if (rule.freq === 'SECONDLY') return [0];
  if (rule.freq === 'MINUTELY') return seconds.sort((a, b) => a - b);
  const minutes = (p.BYMINUTE ?? [c.minute]).map(Number).filter((m) => m >= 0 && m < 60);
  return minutes.flatMap((m) => seconds.map((s) => m * 60 + s)).sort((a, b) => a - b);
}

export interface SubDailyLimits {
  horizon: number;
  count: number;
  pastUntil: (wall: number) => boolean;
  maxSteps: number;
  warn: (message: string) => void;
}

/**
 * `sz` reads the local times (the series zone); `iz` is the tz-database zone the steps are taken in
 * (the same zone for IANA TZIDs; an embedded VTIMEZONE named like an IANA zone steps in that zone).
 */
export function runSubDailyRule(rule: ICAL.Recur, startWall: number, sz: Zone, iz: Zone, limits: SubDailyLimits): RuleHit[] {
  const unit = UNIT[rule.freq]!;
  const step = unit * Math.max(1, rule.interval || 1);
  const start = toUtcLater(iz, startWall);
  const c = civilOfWall(startWall);
  const intoPeriod = rule.freq === 'HOURLY' ? c.minute * 60 + c.second : rule.freq === 'MINUTELY' ? c.second : 0;
  const offsets = expansions(rule, startWall);
  const r = restriction(rule);
  const hits: RuleHit[] = [];
  let counted = 0;
  for (let base = start - intoPeriod, steps = 0; ; base = toUtcLater(iz, wallIn(iz, base)) + step, steps++) {
    if (steps >= limits.maxSteps) {
      limits.warn(`rule truncated after ${limits.maxSteps} iterations`);
      return hits;
    }
    for (const off of offsets) {
      const at = base + off;
      if (at < start) continue;
      const wall = wallIn(iz, at);
      if (limits.pastUntil(wall)) return hits;
      if (!passes(r, wall)) continue;
      const epoch = toUtc(sz, wall);
      if (epoch >= limits.horizon || ++counted > limits.count) return hits;
      hits.push({ wall, epoch });
    }
    if (base >= limits.horizon) return hits;
  }
}
