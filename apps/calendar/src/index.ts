export * from './domain/index.js';
export { expandFile, EXPAND_EXIT, type ExpandFileOptions, type ExpandIo } from './tools/expand-file.js';
export {
  calendarDocSchema,
  feedDocSchema,
  oncallMappingSchema,
  putCalendar,
  deleteCalendar,
  registerCalendarDocuments,
  calendarProvisioningKind,
  CALENDAR_DOC_TYPE,
  FEED_DOC_TYPE,
  type CalendarDoc,
  type CalendarDocInput,
} from './documents/calendar-doc.js';
export { calendarConfigShape, type CalendarConfig, type CalendarConfigShape } from './config.js';
export { createCalendarWhapp, CALENDAR_VERSION, type CalendarWhapp } from './whapp.js';
