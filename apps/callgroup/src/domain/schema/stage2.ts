import { z } from 'zod';
import { NumberSchema } from './extension.js';

/** Device ids end up in dial targets and logs; keep them to a safe alphabet. */
export const DeviceIdSchema = z.string().regex(/^[A-Za-z0-9_.@+-]+$/, 'device ids use letters, digits and _ . @ + - only');

/** Device state at the moment of the call ("channel status" input): defaults apply per user when absent. */
export const Stage2Schema = z.object({
  registrations: z.record(z.string(), z.array(DeviceIdSchema)).default({}),
  busy: z.record(z.string(), z.number().int().min(0)).default({}),
  call_waiting: z.record(z.string(), z.boolean()).default({}),
  static: z.record(z.string(), z.string().min(1)).default({}),
});

export const RejectEventSchema = z.union([
  z.object({ at_s: z.number().int().min(0), device: DeviceIdSchema }).strict(),
  z.object({ at_s: z.number().int().min(0), extension: NumberSchema }).strict(),
]);

export type Stage2Input = z.input<typeof Stage2Schema>;
export type Stage2State = z.infer<typeof Stage2Schema>;
export type RejectEvent = z.infer<typeof RejectEventSchema>;
