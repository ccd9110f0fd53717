import { z } from 'zod';
import { ExtensionSchema } from './extension.js';
import { RejectEventSchema, Stage2Schema } from './stage2.js';
import { ExpectedSchema } from './plan.js';

/** One call-group scenario (shared/fixtures/callgroup/FORMAT.md). */
export const ScenarioSchema = z.object({
  name: z.string().default('scenario'),
  description: z.string().optional(),
  tags: z.array(z.string()).default([]),
  caller: z.string().min(1),
  called: z.string().min(1),
  extensions: z.array(ExtensionSchema),
  stage2: Stage2Schema.default({ registrations: {}, busy: {}, call_waiting: {}, static: {} }),
  events: z.array(RejectEventSchema).default([]),
  expected: ExpectedSchema.optional(),
  ywsd_divergence: z.object({ reason: z.string(), ywsd_expected: ExpectedSchema.optional() }).optional(),
});

export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type Scenario = z.infer<typeof ScenarioSchema>;
