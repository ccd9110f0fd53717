import { OnCallResolver, OpeningHours, StatusIndex, type BusyInterval, type OnCallMapping } from '../domain/index.js';

/** One expanded event as the service keeps it; `calendarId` says which calendar it came from. */
export interface IndexedEvent extends Pick<BusyInterval, 'uid' | 'summary' | 'start' | 'end' | 'categories' | 'attendees' | 'transparent'> {
  calendarId: string;
  /** `closure`: from the closures calendar of an hours calendar. */
  role: 'event' | 'closure';
}

export type CalendarStatus = 'open' | 'closed' | 'busy' | 'free';

export interface CalendarAnswer {
  status: CalendarStatus;
  /** Next transition; undefined when none before the window ends. */
  until: number | undefined;
  /** Users on call (on-call calendars only). */
  users: string[];
  /** Events covering the instant: hours and closures, meetings, shifts. */
  active: readonly IndexedEvent[];
}

/** A calendar's answers over a window, whatever its kind: one binary search per engine index. */
export interface CalendarIndex {
  readonly from: number;
  readonly to: number;
  covers(at: number): boolean;
  at(at: number): CalendarAnswer;
}

export type IndexSpec =
  | { kind: 'hours'; events: IndexedEvent[]; closures: IndexedEvent[] }
  | { kind: 'personal'; events: IndexedEvent[] }
  | { kind: 'oncall'; events: IndexedEvent[]; mapping: OnCallMapping };

type Window = { from: number; to: number };

const untilOf = (s: { until: number; untilIsWindowEnd: boolean }): number | undefined => (s.untilIsWindowEnd ? undefined : s.until);

/** Builds the engine's index for the calendar's kind (business hours with closures, busy time, on-call rota). */
export function buildCalendarIndex(spec: IndexSpec, window: Window): CalendarIndex {
  const span = { start: window.from, end: window.to };
  const covers = (at: number) => at >= window.from && at < window.to;
  switch (spec.kind) {
    case 'hours': {
      const opening = new OpeningHours(spec.events, spec.closures, span);
      return {
        ...window,
        covers,
        at(at) {
          const s = opening.statusAt(at);
          return { status: s.open ? 'open' : 'closed', until: untilOf(s), users: [], active: [...s.hours, ...s.closures] };
        },
      };
    }
    case 'personal': {
      // TRANSP:TRANSPARENT events are free time: they neither make the calendar busy nor explain it.
      const index = new StatusIndex(spec.events.filter((e) => !e.transparent), span);
      return {
        ...window,
        covers,
        at(at) {
          const s = index.statusAt(at);
          return { status: s.busy ? 'busy' : 'free', until: untilOf(s), users: [], active: s.active };
        },
      };
    }
    case 'oncall': {
      const index = new StatusIndex(spec.events, span);
      const resolver = new OnCallResolver(spec.mapping);
      return {
        ...window,
        covers,
        at(at) {
          const who = resolver.onCallAt(index, at);
          const active = index.statusAt(at).active;
          return { status: who.userIds.length > 0 ? 'open' : 'closed', until: who.until < window.to ? who.until : undefined, users: who.userIds, active };
        },
      };
    }
  }
}
