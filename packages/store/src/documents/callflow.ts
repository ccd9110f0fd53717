import { z } from 'zod';
import { couchFields, stamps } from './common.js';

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** One node of a callflow tree; modules (device, user, callgroup, temporal_route, ...) define their own `data`. */
export const callflowNodeSchema = z.looseObject({
  module: z.string().min(1),
  data: z.record(z.string(), z.unknown()).default({}),
  children: z.record(z.string(), z.unknown()).default({}),
});

/** Maps dialed numbers (exact) or patterns (regular expressions) of an account to a flow. */
export const callflowDocSchema = z
  .looseObject({
    ...couchFields,
    ...stamps,
    pvt_type: z.literal('callflow'),
    name: z.string().optional(),
    numbers: z.array(z.string().min(1)).default([]),
    patterns: z.array(z.string().min(1).refine(isValidRegExp, 'not a valid regular expression')).default([]),
    flow: callflowNodeSchema,
  })
  .refine((doc) => doc.numbers.length + doc.patterns.length > 0, {
    path: ['numbers'],
    message: 'a callflow needs at least one number or pattern',
  });
export type CallflowDoc = z.infer<typeof callflowDocSchema>;
