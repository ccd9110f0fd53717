import { z } from 'zod';
import { couchFields, nonEmptyString, realmSchema, stamps } from './common.js';

/** An account (tenant): lives in the `accounts` database; its realm is how SIP traffic finds it. */
export const accountDocSchema = z.looseObject({
  ...couchFields,
  ...stamps,
  pvt_type: z.literal('account'),
  name: nonEmptyString,
  realm: realmSchema,
  enabled: z.boolean().default(true),
  timezone: z.string().optional(),
});
export type AccountDoc = z.infer<typeof accountDocSchema>;
export type AccountInput = z.input<typeof accountDocSchema>;

/** What a caller supplies to create an account: the type and revision are the store's business. */
export const newAccountSchema = accountDocSchema.omit({ pvt_type: true, _rev: true, _deleted: true });
export type NewAccount = z.input<typeof newAccountSchema>;
