import ICAL from 'ical.js';
import { DAY } from './civil.js';
import type { EventComponent } from './components.js';
import { applySpan, spanOfDuration, spanOfEvent, type Span } from './duration.js';
import { jcalValues } from './ical-values.js';
import { runRule } from './rule.js';
import { epochOf, seriesZone, timeValueOf, type TimeValue, type ZoneContext } from './time-value.js';
import { wallIn, type Zone } from './zone.js';

/** An interval produced by one component, in epoch seconds. */
export interface RawInterval {
  source: EventComponent;
  start: number;
  end: number;
}

interface Instance {
  /** Original start (what RECURRENCE-ID and EXDATE name). */
  orig: number;
  /** Day number of the original start in the series' frame (for DATE exceptions). */
  oday: number;
  start: number;
  end: number;
  source: EventComponent;
  dead: boolean;
}

type Warn = (message: string) => void;

/** A RECURRENCE-ID/EXDATE reference: a whole local day or an exact instant. */
interface MatchKey {
  byDay: boolean;
  key: number;
}

function matchKey(v: TimeValue, dt: TimeValue, sz: Zone, ctx: ZoneContext): MatchKey {
  if (dt.isDate) {
    const key = v.isDate || !v.zone ? Math.floor(v.wall / DAY) : Math.floor(wallIn(ctx.calendar, epochOf(v, ctx, sz)) / DAY);
    return { byDay: true, key };
  }
  if (v.isDate) return { byDay: true, key: Math.floor(v.wall / DAY) };
  return { byDay: false, key: epochOf(v, ctx, sz) };
}

function matches(inst: Instance, k: MatchKey): boolean {
  return k.byDay ? inst.oday === k.key : inst.orig === k.key;
}

export class SeriesExpander {
  constructor(
    private readonly ctx: ZoneContext,
    private readonly warn: Warn,
  ) {}

  span(c: EventComponent): Span {
    return spanOfEvent(c.event, c.dtstart, this.ctx, c.tz, (m) => this.warn(`UID ${c.uid}: ${m}`));
  }

  /** Expands a master with its overrides (sorted by RECURRENCE-ID) up to `to` (epoch seconds). */
  expand(master: EventComponent, overrides: EventComponent[], to: number): RawInterval[] {
    const dt = master.dtstart!;
    const sz = seriesZone(dt, this.ctx);
    const span = this.span(master);
    const horizon = to + this.maxBackShift(overrides, sz);
    const instances = this.generate(master, dt, sz, span, horizon);
    this.applyExceptions(master, dt, sz, horizon, instances);
    this.applyThisAndFuture(overrides, dt, sz, span, instances);
    for (const o of overrides) {
      const k = matchKey(o.rid!, dt, sz, this.ctx);
      for (const inst of instances) if (matches(inst, k)) inst.dead = true;
    }
    return instances
      .filter((i) => !i.dead && !i.source.cancelled)
      .map((i) => ({ source: i.source, start: i.start, end: i.end }));
  }

  /** Instances moved earlier by THISANDFUTURE can enter the window from beyond it. */
  private maxBackShift(overrides: EventComponent[], sz: Zone): number {
    let back = 0;
    for (const o of overrides) {
      if (!o.thisAndFuture || !o.dtstart) continue;
      const r = epochOf(o.rid!, this.ctx, sz);
      const s = epochOf(o.dtstart, this.ctx, seriesZone(o.dtstart, this.ctx));
      back = Math.max(back, r - s);
    }
    return back;
  }

  private generate(master: EventComponent, dt: TimeValue, sz: Zone, span: Span, horizon: number): Instance[] {
    const ctx = this.ctx;
    const starts = [{ wall: dt.wall, epoch: epochOf(dt, ctx, sz) }];
    for (const prop of master.event.getAllProperties('rrule')) {
      const rule = prop.getFirstValue();
      if (!(rule instanceof ICAL.Recur) || !rule.freq) {
        this.warn(`UID ${master.uid}: unusable RRULE ignored`);
        continue;
      }
      starts.push(...runRule(rule, dt, sz, ctx, horizon, (m) => this.warn(`UID ${master.uid}: ${m}`)));
    }
    const endZone = dt.isDate ? ctx.calendar : sz;
    const instances: Instance[] = starts.map((s) => ({
      orig: s.epoch,
      oday: Math.floor(s.wall / DAY),
      start: s.epoch,
      end: applySpan(span, s.epoch, s.wall, endZone),
      source: master,
      dead: false,
    }));
    for (const prop of master.event.getAllProperties('rdate')) {
      for (const value of jcalValues(prop)) {
        const inst = this.rdateInstance(master, prop, value, dt, sz, span);
        if (inst) instances.push(inst);
        else this.warn(`UID ${master.uid}: unusable RDATE ignored`);
      }
    }
    return collapseDuplicates(instances);
  }

  private rdateInstance(master: EventComponent, prop: ICAL.Property, value: unknown, dt: TimeValue, sz: Zone, span: Span): Instance | undefined {
    const ctx = this.ctx;
    let v: TimeValue | undefined;
    let explicitEnd: number | undefined;
    if (Array.isArray(value)) {
      const [startText, endText] = value as unknown[];
      v = timeValueOf(prop, startText, master.tz);
      const duration = typeof endText === 'string' && /^[+-]?P/.test(endText) ? parseDuration(endText) : undefined;
      if (v && duration) {
        const s0 = epochOf(v, ctx, sz);
        explicitEnd = applySpan(spanOfDuration(duration), s0, v.isDate ? v.wall : wallIn(sz, s0), v.isDate ? ctx.calendar : sz);
      } else if (v) {
        const ve = timeValueOf(prop, endText, master.tz);
        if (ve) explicitEnd = epochOf(ve, ctx, sz);
      }
    } else {
      v = timeValueOf(prop, value, master.tz);
    }
    if (!v) return undefined;
    const s = epochOf(v, ctx, sz);
    const w = v.isDate ? v.wall : wallIn(sz, s);
    const oday = dt.isDate ? Math.floor((v.isDate ? v.wall : wallIn(ctx.calendar, s)) / DAY) : Math.floor(w / DAY);
    const end = explicitEnd !== undefined ? Math.max(explicitEnd, s) : applySpan(span, s, w, v.isDate ? ctx.calendar : sz);
    return { orig: s, oday, start: s, end, source: master, dead: false };
  }

  private applyExceptions(master: EventComponent, dt: TimeValue, sz: Zone, horizon: number, instances: Instance[]): void {
    const exact = new Set<number>();
    const days = new Set<number>();
    for (const prop of master.event.getAllProperties('exdate')) {
      for (const value of jcalValues(prop)) {
        const v = timeValueOf(prop, value, master.tz);
        if (!v) {
          this.warn(`UID ${master.uid}: unusable EXDATE ignored`);
          continue;
        }
        const k = matchKey(v, dt, sz, this.ctx);
        (k.byDay ? days : exact).add(k.key);
      }
    }
    for (const prop of master.event.getAllProperties('exrule')) {
      const rule = prop.getFirstValue();
      if (!(rule instanceof ICAL.Recur) || !rule.freq) {
        this.warn(`UID ${master.uid}: unusable EXRULE ignored`);
        continue;
      }
      for (const hit of runRule(rule, dt, sz, this.ctx, horizon, (m) => this.warn(`UID ${master.uid}: ${m}`))) exact.add(hit.epoch);
    }
    for (const inst of instances) if (exact.has(inst.orig) || days.has(inst.oday)) inst.dead = true;
  }

  /** RANGE=THISANDFUTURE: every later instance takes the override's shift, length and SUMMARY (later overrides win). */
  private applyThisAndFuture(overrides: EventComponent[], dt: TimeValue, sz: Zone, masterSpan: Span, instances: Instance[]): void {
    const ctx = this.ctx;
    for (const o of overrides) {
      if (!o.thisAndFuture) continue;
      const k = matchKey(o.rid!, dt, sz, ctx);
      const ost = o.dtstart ?? o.rid!;
      const oz = seriesZone(ost, ctx);
      const ridEpoch = epochOf(o.rid!, ctx, sz);
      const os = epochOf(ost, ctx, oz);
      const ospan = o.dtstart ? this.span(o) : masterSpan;
      const oe = applySpan(ospan, os, ost.isDate ? ost.wall : wallIn(oz, os), ost.isDate ? ctx.calendar : oz);
      const shift = os - ridEpoch;
      const len = oe - os;
      for (const inst of instances) {
        const after = k.byDay ? inst.oday > k.key : inst.orig > k.key;
        if (!after) continue;
        inst.source = o;
        inst.start = inst.orig + shift;
        inst.end = inst.start + len;
      }
    }
  }

  /** A component standing alone: a non-recurring master, an override, or an orphan override. */
  single(c: EventComponent, fallbackSpan: Span | undefined, fallbackStart: TimeValue | undefined): RawInterval | undefined {
    const st = c.dtstart ?? fallbackStart;
    if (!st || c.cancelled) return undefined;
    const ctx = this.ctx;
    const z = seriesZone(st, ctx);
    const span = c.dtstart || !fallbackSpan ? this.span(c) : fallbackSpan;
    const s = epochOf(st, ctx, z);
    const e = applySpan(span, s, st.isDate ? st.wall : wallIn(z, s), st.isDate ? ctx.calendar : z);
    return { source: c, start: s, end: e };
  }
}

/** Same original start from DTSTART, RRULE or RDATE collapses into one; the longest end wins. */
function collapseDuplicates(instances: Instance[]): Instance[] {
  instances.sort((a, b) => a.orig - b.orig);
  const out: Instance[] = [];
  for (const inst of instances) {
    const last = out[out.length - 1];
    if (last && last.orig === inst.orig) {
      if (inst.end > last.end) last.end = inst.end;
    } else out.push(inst);
  }
  return out;
}

function parseDuration(text: string): ICAL.Duration | undefined {
  try {
    return ICAL.Duration.fromString(text);
  } catch {
    return undefined;
  }
}
