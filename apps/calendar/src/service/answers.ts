import type { z } from 'zod';
import type { activeEvent } from '@fife/api';
import type { CalendarAnswer, IndexedEvent } from './calendar-index.js';

/** ISO 8601 UTC without milliseconds when there are none (what the wire examples use). */
export function isoInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function activeEventsOnWire(active: readonly IndexedEvent[]): z.input<typeof activeEvent>[] {
  return active.map((e) => ({
    UID: e.uid,
    ...(e.summary ? { Summary: e.summary } : {}),
    Start: isoInstant(e.start),
    End: isoInstant(e.end),
    'Calendar-ID': e.calendarId,
    ...(e.role === 'closure' ? { Closure: true } : {}),
  }));
}

/** "Mon 23 Nov 08:00 Europe/Brussels": local time of the calendar, for people reading Reason. */
export function localTime(ms: number, zone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(ms)
      .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
    return `${parts.weekday} ${parts.day} ${parts.month} ${parts.hour}:${parts.minute} ${zone}`;
  } catch {
    return isoInstant(ms);
  }
}

/** Why the calendar is in its state: closures first (a holiday explains "closed"), then other events. */
export function reasonOf(answer: CalendarAnswer, zone: string): string {
  const why = answer.active.filter((e) => e.role === 'closure').concat(answer.active.filter((e) => e.role === 'event' && answer.status !== 'closed'));
  const summaries = [...new Set(why.map((e) => e.summary.trim()).filter(Boolean))];
  const until = answer.until === undefined ? '' : ` until ${localTime(answer.until, zone)}`;
  return `${answer.status}${until}${summaries.length ? ` (${summaries.join(', ')})` : ''}`;
}
