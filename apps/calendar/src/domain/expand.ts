import type ICAL from 'ical.js';
import { FifeError } from '@fife/api';
import { parseInstant } from './civil.js';
import { readEvent, supersedes, type EventComponent } from './components.js';
import { ianaZone } from './iana-zone.js';
import { parseCalendars } from './parse.js';
import { ExpandOptionsSchema, type BusyInterval, type ExpandOptions, type InstantInput } from './schemas.js';
import { SeriesExpander, type RawInterval } from './series.js';
import { epochOf, seriesZone, type ZoneContext } from './time-value.js';
import { TzidResolver } from './tzid.js';
import type { Zone } from './zone.js';

/** Parsed calendar text, ready to be expanded over any number of windows. */
export interface ParsedCalendar {
  components: EventComponent[];
  warnings: string[];
  unknownTzids: string[];
}

export function parseIcs(icsText: string): ParsedCalendar {
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  const components: EventComponent[] = [];
  const resolvers: TzidResolver[] = [];
  for (const cal of parseCalendars(icsText)) {
    const tz = new TzidResolver(cal);
    resolvers.push(tz);
    for (const ev of cal.getAllSubcomponents('vevent')) components.push(readEvent(ev, tz, components.length, warn));
  }
  // Group by UID (bytewise), masters before overrides, then file order — the reference's order.
  components.sort((a, b) => compareBytes(a.uid, b.uid) || Number(!!a.rid) - Number(!!b.rid) || a.order - b.order);
  return { components, warnings, get unknownTzids() { return [...new Set(resolvers.flatMap((r) => [...r.unknown]))]; } };
}

export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function instantToEpochSeconds(value: InstantInput, what: string): number {
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  if (typeof value === 'number') return Math.floor(value / 1000);
  const parsed = parseInstant(value);
  if (parsed === undefined) throw new FifeError('calendar.instant', `${what}: not an instant: ${JSON.stringify(value)}`, { what, value });
  return parsed;
}

export function zoneNamed(name: string): Zone {
  const zone = ianaZone(name);
  if (!zone) throw new FifeError('calendar.zone', `unknown time zone ${JSON.stringify(name)}`, { zone: name });
  return zone;
}

/** Every interval of the calendar that starts before `to` (epoch seconds), unfiltered at the front. */
export function expandParsed(parsed: ParsedCalendar, defaultZone: Zone, to: number, nominalDtend = true): RawInterval[] {
  const ctx: ZoneContext = { calendar: defaultZone, nominalDtend };
  const warn = (m: string): void => void parsed.warnings.push(m);
  const expander = new SeriesExpander(ctx, warn);
  const out: RawInterval[] = [];
  const comps = parsed.components;
  for (let i = 0, j = 0; i < comps.length; i = j) {
    for (j = i + 1; j < comps.length && comps[j]!.uid === comps[i]!.uid; j++);
    expandUidGroup(comps.slice(i, j), expander, ctx, to, out, warn);
  }
  return out;
}

function expandUidGroup(group: EventComponent[], expander: SeriesExpander, ctx: ZoneContext, to: number, out: RawInterval[], warn: (m: string) => void): void {
  let master: EventComponent | undefined;
  const overrides: EventComponent[] = [];
  for (const c of group) {
    if (!c.rid) {
      if (!c.dtstart) {
        warn(`UID ${c.uid}: VEVENT without usable DTSTART ignored`);
        continue;
      }
      if (!master || supersedes(c, master)) master = c;
      continue;
    }
    const same = overrides.findIndex((o) => o.rid!.wall === c.rid!.wall && o.rid!.isDate === c.rid!.isDate && o.rid!.zone === c.rid!.zone);
    if (same < 0) overrides.push(c);
    else if (supersedes(c, overrides[same]!)) overrides[same] = c;
  }
  const push = (r: RawInterval | undefined): void => void (r && out.push(r));
  if (!master) {
    for (const o of overrides) push(expander.single(o, undefined, o.rid));
    return;
  }
  const sz = seriesZone(master.dtstart!, ctx);
  sortStable(overrides, (a, b) => epochOf(a.rid!, ctx, sz) - epochOf(b.rid!, ctx, sz));
  const recurring = master.event.hasProperty('rrule') || master.event.hasProperty('rdate') || overrides.length > 0;
  if (recurring) out.push(...expander.expand(master, overrides, to));
  else push(expander.single(master, undefined, master.dtstart));
  const masterSpan = expander.span(master);
  for (const o of overrides) push(expander.single(o, masterSpan, o.rid));
}

function sortStable<T>(items: T[], cmp: (a: T, b: T) => number): void {
  const indexed = items.map((item, i) => ({ item, i }));
  indexed.sort((a, b) => cmp(a.item, b.item) || a.i - b.i);
  indexed.forEach((x, i) => (items[i] = x.item));
}

/** The reference's window rule: `start < to` and (`end > from`, or a zero-length interval at or after `from`). */
export function inWindow(start: number, end: number, from: number, to: number): boolean {
  return start < to && (end > from || (end === start && start >= from));
}

function toBusy(r: RawInterval): BusyInterval {
  const c = r.source;
  return {
    uid: c.uid,
    summary: c.summary,
    start: r.start * 1000,
    end: r.end * 1000,
    categories: c.categories,
    attendees: c.attendees,
    transparent: c.transparent,
  };
}

/** Busy intervals of already-parsed calendar text over `[from, to)`. */
export function expandCalendar(parsed: ParsedCalendar, options: ExpandOptions): BusyInterval[] {
  const opts = ExpandOptionsSchema.parse(options);
  const from = instantToEpochSeconds(opts.from, 'from');
  const to = instantToEpochSeconds(opts.to, 'to');
  const zone = zoneNamed(opts.defaultZone);
  return expandParsed(parsed, zone, to, opts.dtend === 'nominal')
    .filter((r) => inWindow(r.start, r.end, from, to) && !(opts.opaqueOnly && r.source.transparent))
    .map(toBusy);
}

/**
 * Busy intervals of iCalendar text over `[from, to)`: RRULE/RDATE/EXDATE/EXRULE, overrides
 * (RECURRENCE-ID, THISANDFUTURE), cancellations, time zones and DST as the reference expander does.
 * Unparsable text throws a `calendar.parse` FifeError naming the line and property.
 */
export function expand(icsText: string, options: ExpandOptions): BusyInterval[] {
  return expandCalendar(parseIcs(icsText), options);
}

export type { ICAL };
