import { FifeError, type oncallResp, type statusResp } from '@fife/api';
import type { ReplyFields } from '@fife/bus';
import type { CalendarBook } from './calendar-book.js';
import { activeEventsOnWire, isoInstant, reasonOf } from './answers.js';

export interface CalendarQuery {
  'Account-ID': string;
  'Calendar-ID': string;
  At?: string | undefined;
}

export type StatusFields = ReplyFields<typeof statusResp>;
export type OncallFields = ReplyFields<typeof oncallResp>;

function instantOf(at: string | undefined, now: number): number {
  if (at === undefined) return now;
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw new FifeError('calendar.instant', `At: not an instant: ${JSON.stringify(at)}`, { at });
  return ms;
}

/** Answers status and on-call questions from the book's indexes (no AMQP here). */
export class CalendarService {
  constructor(
    readonly book: CalendarBook,
    private readonly now: () => number = Date.now,
  ) {}

  async status(q: CalendarQuery): Promise<StatusFields> {
    const at = instantOf(q.At, this.now());
    const cal = await this.book.get(q['Account-ID'], q['Calendar-ID']);
    const answer = this.book.indexFor(cal, at).at(at);
    return {
      'Calendar-ID': q['Calendar-ID'],
      At: isoInstant(at),
      Status: answer.status,
      ...(answer.until !== undefined ? { Until: isoInstant(answer.until) } : {}),
      'Active-Events': activeEventsOnWire(answer.active),
      Reason: reasonOf(answer, cal.doc.timezone),
    };
  }

  async oncall(q: CalendarQuery): Promise<OncallFields> {
    const at = instantOf(q.At, this.now());
    const cal = await this.book.get(q['Account-ID'], q['Calendar-ID']);
    if (cal.doc.kind !== 'oncall') {
      throw new FifeError('calendar.not_oncall', `calendar "${q['Calendar-ID']}" is a ${cal.doc.kind} calendar, not an on-call one`, { calendarId: q['Calendar-ID'] });
    }
    const answer = this.book.indexFor(cal, at).at(at);
    return {
      'Calendar-ID': q['Calendar-ID'],
      At: isoInstant(at),
      'User-IDs': answer.users,
      ...(answer.until !== undefined ? { Until: isoInstant(answer.until) } : {}),
      'Active-Events': activeEventsOnWire(answer.active),
    };
  }
}
