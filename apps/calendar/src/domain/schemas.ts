import { z } from 'zod';

/** An instant given as an ISO string, a Date, or epoch milliseconds. */
export const InstantSchema = z.union([z.string().min(1), z.date(), z.number().finite()]);
export type InstantInput = z.infer<typeof InstantSchema>;

export const ExpandOptionsSchema = z.object({
  from: InstantSchema,
  to: InstantSchema,
  /** IANA zone for DATE values and floating times. */
  defaultZone: z.string().min(1).default('UTC'),
  /**
   * `nominal` (Fife's policy): a DTEND in DTSTART's zone is a wall-clock difference, so a 22:00-06:00
   * shift stays 22:00-06:00 across DST; `exact`: DTEND - DTSTART in seconds (RFC 5545 3.8.5.3).
   */
  dtend: z.enum(['nominal', 'exact']).default('nominal'),
  /** Drop TRANSP:TRANSPARENT events (busy time only). */
  opaqueOnly: z.boolean().default(false),
});
export type ExpandOptions = z.input<typeof ExpandOptionsSchema>;

/** One busy interval `[start, end)` in epoch milliseconds (UTC), with what identifies its event. */
export const BusyIntervalSchema = z.object({
  uid: z.string(),
  summary: z.string(),
  start: z.number(),
  end: z.number(),
  categories: z.array(z.string()),
  attendees: z.array(z.string()),
  transparent: z.boolean(),
});
export type BusyInterval = z.infer<typeof BusyIntervalSchema>;
