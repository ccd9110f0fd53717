import { z } from 'zod';

export const backoffOptionsSchema = z.object({
  initialDelayMs: z.number().positive().default(250),
  maxDelayMs: z.number().positive().default(30_000),
  factor: z.number().min(1).default(2),
  /** Fraction of the delay taken off at random, so many clients do not reconnect in step. */
  jitter: z.number().min(0).max(1).default(0.3),
});
export type BackoffOptions = z.infer<typeof backoffOptionsSchema>;

/** Delay before reconnect attempt `attempt` (0-based): exponential, capped, minus a random share. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const raw = options.initialDelayMs * Math.pow(options.factor, Math.max(0, attempt));
  const capped = Math.min(options.maxDelayMs, raw);
  return Math.max(1, Math.round(capped * (1 - options.jitter * random())));
}
