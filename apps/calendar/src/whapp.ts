import type { WhappContext, WhappDefinition } from '@fife/whapp';
import { serveProvisioning } from '@fife/provisioning';
import { calendarConfigShape, serviceSettings, type CalendarConfigShape } from './config.js';
import { calendarProvisioningKind, registerCalendarDocuments } from './documents/calendar-doc.js';
import { oncallReqHandler } from './handlers/oncall-req.js';
import { statusReqHandler } from './handlers/status-req.js';
import { CalendarBook } from './service/calendar-book.js';
import { CalendarService } from './service/calendar-service.js';
import { registerCalendarMetrics } from './service/metrics.js';

export const CALENDAR_VERSION = '0.1.0';

export interface CalendarWhapp {
  definition: WhappDefinition<CalendarConfigShape>;
  /** The running service (after setup): tests and benchmarks look inside. */
  readonly service: CalendarService | undefined;
}

/** The calendar whapp: status_req and oncall_req answered from per-calendar interval indexes. */
export function createCalendarWhapp(): CalendarWhapp {
  let service: CalendarService | undefined;
  async function setup(ctx: WhappContext<CalendarConfigShape>): Promise<void> {
    registerCalendarDocuments();
    const book = new CalendarBook(ctx.store, serviceSettings(ctx.config), ctx.log);
    ctx.onStop(() => book.close());
    registerCalendarMetrics(ctx.metrics.registry, book);
    service = new CalendarService(book);
    const prefetch = ctx.config.CALENDAR_PREFETCH;
    await ctx.bus.consume({ queue: ctx.config.CALENDAR_STATUS_QUEUE, prefetch, handlers: [statusReqHandler(service)] });
    await ctx.bus.consume({ queue: ctx.config.CALENDAR_ONCALL_QUEUE, prefetch, handlers: [oncallReqHandler(service)] });
    await serveProvisioning(ctx.bus, ctx.store, { queue: `${ctx.config.CALENDAR_STATUS_QUEUE}.provisioning`, kinds: { calendar: calendarProvisioningKind } });
  }
  return {
    definition: { name: 'calendar', version: CALENDAR_VERSION, config: calendarConfigShape, store: true, setup },
    get service() {
      return service;
    },
  };
}
