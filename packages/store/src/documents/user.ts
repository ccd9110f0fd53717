import { z } from 'zod';
import { couchFields, stamps } from './common.js';

/** A person in an account; devices point at their owner through `owner_id`. */
export const userDocSchema = z.looseObject({
  ...couchFields,
  ...stamps,
  pvt_type: z.literal('user'),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().min(1).optional(),
  email: z.email().optional(),
  enabled: z.boolean().default(true),
});
export type UserDoc = z.infer<typeof userDocSchema>;
