import { z } from 'zod';

export const LegKindSchema = z.enum(['device', 'external', 'static']);
export const SkipReasonSchema = z.enum(['busy', 'offline', 'duplicate', 'unrouted']);
export const PlanStatusSchema = z.enum(['ringing', 'busy', 'offline', 'noroute', 'error']);

export const RingLegSchema = z.object({
  extension: z.string(),
  device: z.string().nullable(),
  kind: LegKindSchema,
  start_after_s: z.number(),
  stop_after_s: z.number().nullable(),
  via_path: z.array(z.string()),
});

export const SkippedLegSchema = z.object({
  extension: z.string(),
  via_path: z.array(z.string()),
  at_s: z.number(),
  reason: SkipReasonSchema,
});

export const CallerIdSchema = z.object({
  number: z.string().nullable(),
  name: z.string().nullable(),
  lang: z.string().nullable(),
  dialout_allowed: z.boolean(),
});

/** The ring plan of one call: what `fife callgroup plan` prints and what a scenario's `expected` holds. */
export const RingPlanSchema = z.object({
  status: PlanStatusSchema,
  ring_plan: z.array(RingLegSchema),
  ends_after_s: z.number().nullable(),
  skipped: z.array(SkippedLegSchema),
  ringback: z.string().nullable(),
  caller_id: CallerIdSchema,
  called_name: z.string().nullable(),
});

/** A scenario's `expected`: every key optional, keys absent are not checked. */
export const ExpectedSchema = z.object({
  status: PlanStatusSchema.optional(),
  ring_plan: z.array(RingLegSchema).optional(),
  ends_after_s: z.number().nullable().optional(),
  skipped: z.array(SkippedLegSchema).optional(),
  ringback: z.string().nullable().optional(),
  caller_id: CallerIdSchema.partial().optional(),
  called_name: z.string().nullable().optional(),
});

export type RingLeg = z.infer<typeof RingLegSchema>;
export type SkippedLeg = z.infer<typeof SkippedLegSchema>;
export type SkipReason = z.infer<typeof SkipReasonSchema>;
export type LegKind = z.infer<typeof LegKindSchema>;
export type PlanStatus = z.infer<typeof PlanStatusSchema>;
export type CallerId = z.infer<typeof CallerIdSchema>;
export type RingPlan = z.infer<typeof RingPlanSchema>;
export type Expected = z.infer<typeof ExpectedSchema>;
