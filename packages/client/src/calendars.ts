import { calendar, error, type MessageOf } from '@fife/api';
import type { Bus } from '@fife/bus';
import { isErrorReply, remoteError } from './remote-error.js';

export interface CalendarQuery {
  accountId: string;
  calendarId: string;
  /** Default: now, as the calendar service sees it. */
  at?: Date | string;
  timeoutMs?: number;
}

const iso = (at: Date | string | undefined) => (at === undefined ? {} : { At: typeof at === 'string' ? at : at.toISOString() });

export class Calendars {
  constructor(private readonly bus: Bus) {}

  /** Open/closed (business hours) or busy/free (personal) at an instant, and until when. */
  async status(q: CalendarQuery): Promise<MessageOf<typeof calendar.statusResp>> {
    const reply = await this.bus.request(
      calendar.statusReq,
      { 'Account-ID': q.accountId, 'Calendar-ID': q.calendarId, ...iso(q.at) },
      { timeoutMs: q.timeoutMs ?? 2000, replies: [calendar.statusResp, error.generic] },
    );
    if (isErrorReply(reply)) throw remoteError(reply, 'calendar status');
    return reply as MessageOf<typeof calendar.statusResp>;
  }

  /** Who is on call at an instant. */
  async onCall(q: CalendarQuery): Promise<MessageOf<typeof calendar.oncallResp>> {
    const reply = await this.bus.request(
      calendar.oncallReq,
      { 'Account-ID': q.accountId, 'Calendar-ID': q.calendarId, ...iso(q.at) },
      { timeoutMs: q.timeoutMs ?? 2000, replies: [calendar.oncallResp, error.generic] },
    );
    if (isErrorReply(reply)) throw remoteError(reply, 'calendar on-call');
    return reply as MessageOf<typeof calendar.oncallResp>;
  }
}
