import { z } from 'zod';
import type { Config } from '@fife/whapp';

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** The calendar whapp's own settings (environment variables, validated at boot). */
export const calendarConfigShape = {
  CALENDAR_STATUS_QUEUE: z.string().min(1).default('fife.calendar.status').describe('Shared durable queue of calendar status_req (competing consumers)'),
  CALENDAR_ONCALL_QUEUE: z.string().min(1).default('fife.calendar.oncall').describe('Shared durable queue of calendar oncall_req (competing consumers)'),
  CALENDAR_PREFETCH: int(1, 1000, 64).describe('Requests handled at once per queue and process'),
  CALENDAR_LOOKBEHIND_HOURS: int(1, 24 * 31, 48).describe('How far before now the interval index starts (events that began earlier still count)'),
  CALENDAR_HORIZON_DAYS: int(1, 3660, 400).describe('How far ahead of now the interval index reaches; `Until` is absent past it'),
  CALENDAR_ROLL_MINUTES: int(1, 24 * 60, 360).describe('How often every loaded index is rebuilt so its window moves forward with the clock'),
  CALENDAR_FEED_MAX_BYTES: int(1024, 100 * 1024 * 1024, 5 * 1024 * 1024).describe('Largest remote ICS accepted; a bigger one is refused and the last good copy kept'),
  CALENDAR_FEED_TIMEOUT_MS: int(100, 120_000, 10_000).describe('Deadline of one remote ICS fetch (headers and body)'),
} as const;

export type CalendarConfigShape = typeof calendarConfigShape;
export type CalendarConfig = Config<CalendarConfigShape>;

/** What the calendar service needs of the configuration (tests build it directly). */
export const serviceSettingsSchema = z.object({
  lookbehindMs: z.number().int().positive(),
  horizonMs: z.number().int().positive(),
  rollMs: z.number().int().positive(),
  feedMaxBytes: z.number().int().positive(),
  feedTimeoutMs: z.number().int().positive(),
});
export type ServiceSettings = z.infer<typeof serviceSettingsSchema>;

export function serviceSettings(config: CalendarConfig): ServiceSettings {
  return {
    lookbehindMs: config.CALENDAR_LOOKBEHIND_HOURS * 3_600_000,
    horizonMs: config.CALENDAR_HORIZON_DAYS * 86_400_000,
    rollMs: config.CALENDAR_ROLL_MINUTES * 60_000,
    feedMaxBytes: config.CALENDAR_FEED_MAX_BYTES,
    feedTimeoutMs: config.CALENDAR_FEED_TIMEOUT_MS,
  };
}
