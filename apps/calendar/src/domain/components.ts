import type ICAL from 'ical.js';
import { jcalValues, rawTimeFromJcal } from './ical-values.js';
import { firstTimeValue, type TimeValue } from './time-value.js';
import type { TzidResolver } from './tzid.js';

/** A VEVENT with what the expansion needs to group, order and supersede it. */
export interface EventComponent {
  event: ICAL.Component;
  tz: TzidResolver;
  uid: string;
  /** 0-based position among the file's VEVENTs (NOUID numbering, last-in-file tie break). */
  order: number;
  sequence: number;
  /** LAST-MODIFIED, else DTSTAMP, as wall seconds; 0 when absent. */
  stamp: number;
  cancelled: boolean;
  transparent: boolean;
  dtstart: TimeValue | undefined;
  rid: TimeValue | undefined;
  thisAndFuture: boolean;
  summary: string;
  categories: string[];
  attendees: string[];
}

function textOf(event: ICAL.Component, name: string): string | undefined {
  const v = event.getFirstPropertyValue(name);
  return v === null || v === undefined ? undefined : String(v);
}

function stampOf(event: ICAL.Component): number {
  for (const name of ['last-modified', 'dtstamp']) {
    const prop = event.getFirstProperty(name);
    const raw = prop ? rawTimeFromJcal(jcalValues(prop)[0]) : undefined;
    if (raw) return raw.wall;
  }
  return 0;
}

function listValues(event: ICAL.Component, name: string): string[] {
  return event.getAllProperties(name).flatMap((p) => p.getValues().map((v) => String(v)));
}

export function readEvent(event: ICAL.Component, tz: TzidResolver, order: number, warn: (m: string) => void): EventComponent {
  const uidText = textOf(event, 'uid');
  const dtstartProp = event.getFirstProperty('dtstart');
  const ridProp = event.getFirstProperty('recurrence-id');
  let rid: TimeValue | undefined;
  let thisAndFuture = false;
  if (ridProp) {
    rid = firstTimeValue(ridProp, tz);
    if (rid) thisAndFuture = String(ridProp.getParameter('range') ?? '').toUpperCase() === 'THISANDFUTURE';
    else warn('unusable RECURRENCE-ID ignored');
  }
  const sequence = Number(event.getFirstPropertyValue('sequence') ?? 0);
  return {
    event,
    tz,
    uid: uidText ? uidText : `NOUID-${order + 1}`,
    order,
    sequence: Number.isFinite(sequence) ? Math.trunc(sequence) : 0,
    stamp: stampOf(event),
    cancelled: (textOf(event, 'status') ?? '').trim().toUpperCase() === 'CANCELLED',
    transparent: (textOf(event, 'transp') ?? '').trim().toUpperCase() === 'TRANSPARENT',
    dtstart: firstTimeValue(dtstartProp, tz),
    rid,
    thisAndFuture,
    summary: textOf(event, 'summary') ?? '',
    categories: listValues(event, 'categories'),
    attendees: listValues(event, 'attendee'),
  };
}

/** Does `a` supersede `b` (higher SEQUENCE, then newer stamp, then later in the file)? */
export function supersedes(a: EventComponent, b: EventComponent): boolean {
  if (a.sequence !== b.sequence) return a.sequence > b.sequence;
  if (a.stamp !== b.stamp) return a.stamp > b.stamp;
  return a.order > b.order;
}
