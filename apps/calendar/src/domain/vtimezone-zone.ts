import ICAL from 'ical.js';
import { icalTimeOfWall, jcalValues, rawTimeFromIcal, rawTimeFromJcal } from './ical-values.js';
import { ianaZone } from './iana-zone.js';
import { TransitionTable, type Zone } from './zone.js';

/**
 * A zone defined by an embedded VTIMEZONE. Each STANDARD/DAYLIGHT observance contributes the
 * instants of its onsets (DTSTART, RRULE, RDATE; local times read with TZOFFSETFROM). Before the
 * first onset the zone keeps that onset's TZOFFSETFROM, as libical does.
 */
const LAST_YEAR = 2100;
const MAX_ONSETS_PER_RULE = 5000;

interface Onset {
  epoch: number;
  offset: number;
  from: number;
}

export class VTimezoneZone implements Zone {
  private table: TransitionTable | undefined;

  constructor(
    readonly id: string,
    private readonly component: ICAL.Component,
  ) {}

  /** True when the component has observances (a bare TZID block cannot define a zone). */
  static usable(component: ICAL.Component): boolean {
    return component.getAllSubcomponents('standard').length + component.getAllSubcomponents('daylight').length > 0;
  }

  /**
   * libical hands ICU the VTIMEZONE's X-LIC-LOCATION, else its TZID (without libical's own prefix);
   * when that names a tz-database zone, sub-daily rules step in elapsed time there.
   */
  get icuZone(): Zone | undefined {
    const location = this.component.getFirstPropertyValue('x-lic-location');
    const name = typeof location === 'string' && location ? location : this.id.replace(/^\/freeassociation\.sourceforge\.net\//, '');
    return ianaZone(name);
  }

  offsetAt(epoch: number): number {
    this.table ??= this.build();
    return this.table.offsetAt(epoch);
  }

  private build(): TransitionTable {
    const onsets: Onset[] = [];
    for (const obs of this.component.getAllSubcomponents()) {
      if (obs.name === 'standard' || obs.name === 'daylight') collectOnsets(obs, onsets);
    }
    onsets.sort((a, b) => a.epoch - b.epoch);
    const table = new TransitionTable(onsets[0]?.from ?? 0);
    for (const o of onsets) table.push(o.epoch, o.offset);
    return table;
  }
}

function offsetSeconds(obs: ICAL.Component, name: string): number | undefined {
  const v = obs.getFirstPropertyValue(name) as ICAL.UtcOffset | null;
  return v && typeof v.toSeconds === 'function' ? v.toSeconds() : undefined;
}

function collectOnsets(obs: ICAL.Component, out: Onset[]): void {
  const dtstart = obs.getFirstProperty('dtstart');
  const to = offsetSeconds(obs, 'tzoffsetto');
  const from = offsetSeconds(obs, 'tzoffsetfrom');
  const start = dtstart ? rawTimeFromJcal(jcalValues(dtstart)[0]) : undefined;
  if (!start || to === undefined || from === undefined) return;
  const push = (wall: number, utc: boolean): void => {
    out.push({ epoch: utc ? wall : wall - from, offset: to, from });
  };
  const rrules = obs.getAllProperties('rrule');
  const rdates = obs.getAllProperties('rdate');
  if (rrules.length === 0 && rdates.length === 0) {
    push(start.wall, start.utc);
    return;
  }
  for (const prop of rdates) {
    for (const value of jcalValues(prop)) {
      const raw = rawTimeFromJcal(Array.isArray(value) ? value[0] : value);
      if (!raw) continue;
      if (raw.isDate) push(raw.wall + (start.wall % 86400), start.utc);
      else push(raw.wall, raw.utc);
    }
  }
  for (const prop of rrules) {
    const rule = prop.getFirstValue() as ICAL.Recur;
    expandObservanceRule(rule, start.wall, from, push);
  }
}

function expandObservanceRule(
  rule: ICAL.Recur,
  startWall: number,
  from: number,
  push: (wall: number, utc: boolean) => void,
): void {
  const recur = rule.clone();
  let untilWall = Infinity;
  if (recur.until) {
    const u = rawTimeFromIcal(recur.until);
    // A UTC UNTIL is turned into the observance's local time, as the onsets are.
    if (u) untilWall = u.utc ? u.wall + from : u.isDate ? u.wall + 86399 : u.wall;
    recur.until = null;
  }
  let it: ICAL.RecurIterator;
  try {
    it = recur.iterator(icalTimeOfWall(startWall, false));
  } catch {
    return;
  }
  for (let i = 0; i < MAX_ONSETS_PER_RULE; i++) {
    const t = it.next();
    if (!t || t.year > LAST_YEAR) break;
    const raw = rawTimeFromIcal(t);
    if (!raw) break;
    if (raw.wall > untilWall) break;
    push(raw.wall, false);
  }
}
