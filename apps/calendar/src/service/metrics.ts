import { Gauge, type Registry } from 'prom-client';
import type { CalendarBook } from './calendar-book.js';

/** The book's counters, read at scrape time (nothing to update on the request path). */
export function registerCalendarMetrics(registry: Registry, book: CalendarBook): void {
  new Gauge({
    name: 'fife_calendar_loaded',
    help: 'Calendars indexed by this process',
    registers: [registry],
    collect() {
      this.set(book.stats().calendars);
    },
  });
  new Gauge({
    name: 'fife_calendar_index_events_total',
    help: 'Index (re)builds since start: load = first or after a change, reindex = triggered by a change, roll = window moved',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const s = book.stats();
      this.set({ kind: 'load' }, s.loads);
      this.set({ kind: 'reindex' }, s.reindexes);
      this.set({ kind: 'roll' }, s.rolls);
    },
  });
  new Gauge({
    name: 'fife_calendar_feed_polls_total',
    help: 'Remote feed polls since start by outcome (fetched, unchanged, not_modified, failed)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      for (const [outcome, n] of Object.entries(book.stats().feedPolls)) this.set({ outcome }, n);
    },
  });
}
