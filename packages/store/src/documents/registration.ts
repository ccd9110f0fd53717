import { createHash } from 'node:crypto';
import { z } from 'zod';
import { couchFields, docIdSchema, nonEmptyString, realmSchema } from './common.js';

/** One registered contact, in the `registrations` database. */
export const registrationDocSchema = z.looseObject({
  ...couchFields,
  pvt_type: z.literal('registration'),
  username: nonEmptyString,
  realm: realmSchema,
  contact: nonEmptyString,
  /** Seconds granted by the REGISTER. */
  expires: z.number().int().nonnegative(),
  /** Unix time (seconds) after which the contact is stale. */
  expires_at: z.number().int().nonnegative(),
  account_id: docIdSchema.optional(),
  authorizing_id: z.string().optional(),
  call_id: z.string().optional(),
  user_agent: z.string().optional(),
  network_ip: z.string().optional(),
  network_port: z.number().int().optional(),
  node: z.string().optional(),
  last_registration: z.number().int().optional(),
});
export type RegistrationDoc = z.infer<typeof registrationDocSchema>;

/** The key registrations are looked up by: `user@realm`, lowercased (as Kazoo's registrars do). */
export function aorKey(username: string, realmName: string): string {
  return `${username}@${realmName}`.toLowerCase();
}

/** A deterministic id per (AOR, contact), so re-registrations upsert the same document. */
export function registrationDocId(username: string, realmName: string, contact: string): string {
  return 'reg_' + createHash('sha256').update(`${aorKey(username, realmName)}\n${contact}`).digest('hex').slice(0, 32);
}
