import { calendar } from '@fife/api';
import { handler } from '@fife/bus';
import type { CalendarService } from '../service/calendar-service.js';
import { replyError } from './reply-error.js';

export const ONCALL_ERROR_NAME = 'calendar_oncall';

/** oncall_req → oncall_resp, or error/calendar_oncall naming what is wrong. */
export function oncallReqHandler(service: CalendarService) {
  return handler(calendar.oncallReq, async (msg, ctx) => {
    let fields;
    try {
      fields = await service.oncall(msg);
    } catch (err) {
      return replyError(ctx, ONCALL_ERROR_NAME, msg, err);
    }
    await ctx.reply(calendar.oncallResp, fields);
  });
}
