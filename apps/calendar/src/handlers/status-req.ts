import { calendar } from '@fife/api';
import { handler } from '@fife/bus';
import type { CalendarService } from '../service/calendar-service.js';
import { replyError } from './reply-error.js';

/** Event-Name of the error reply (kz_api:publish_error style: the operation that failed). */
export const STATUS_ERROR_NAME = 'calendar_status';

/** status_req → status_resp, or error/calendar_status naming what is wrong. */
export function statusReqHandler(service: CalendarService) {
  return handler(calendar.statusReq, async (msg, ctx) => {
    let fields;
    try {
      fields = await service.status(msg);
    } catch (err) {
      return replyError(ctx, STATUS_ERROR_NAME, msg, err);
    }
    await ctx.reply(calendar.statusResp, fields);
  });
}
