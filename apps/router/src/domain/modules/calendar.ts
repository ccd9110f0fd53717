import { z } from 'zod';
import { defineModule } from '../module.js';

/**
 * Branches on a calendar at call time: `open` (business hours open, personal calendar free) or `closed`
 * (closed, busy); `busy`/`free` children are preferred when present; `_` is the fallback.
 */
export const calendarModule = defineModule({
  name: 'calendar',
  data: z.looseObject({
    calendar_id: z.string().min(1),
    name: z.string().optional(),
    /** What to assume when the calendar whapp cannot answer in time. */
    on_error: z.enum(['open', 'closed']).default('open'),
  }),
  async run(ctx) {
    const label = ctx.data.name ?? ctx.data.calendar_id;
    let state: 'open' | 'closed';
    let keys: string[];
    try {
      const status = await ctx.lookups.calendarStatus(ctx.accountId, ctx.data.calendar_id, ctx.at);
      state = status.status === 'open' || status.status === 'free' ? 'open' : 'closed';
      keys = status.status === 'busy' || status.status === 'free' ? [status.status, state] : [state];
      const until = status.until ? ` until ${status.until}` : '';
      ctx.reason(`calendar ${label} ${status.status}${until}${status.reason ? ` (${status.reason})` : ''} at ${ctx.at.toISOString()}`);
    } catch (err) {
      state = ctx.data.on_error;
      keys = [state];
      ctx.reason(`calendar ${label} unknown (${(err as Error).message}): assumed ${state}`);
    }
    const next = await ctx.branch(...keys, '_');
    if (next) return next;
    return ctx.fail('NO_ROUTE_DESTINATION', `calendar ${label} is ${state} and the flow has no ${state} branch`);
  },
});
