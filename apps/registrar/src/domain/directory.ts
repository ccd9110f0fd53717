import { z } from 'zod';

/**
 * What authentication needs to know about an account and a device, independent of where it is stored
 * (the CouchDB layer maps documents onto these; tests build them directly).
 */
export const accountEntrySchema = z.object({
  id: z.string(),
  name: z.string(),
  realm: z.string(),
  enabled: z.boolean(),
  /** The operator allows clear passwords to plaintext-checking peers (Kamailio) for this whole account. */
  allowClearPassword: z.boolean(),
});
export type AccountEntry = z.infer<typeof accountEntrySchema>;

export const deviceEntrySchema = z.object({
  id: z.string(),
  username: z.string(),
  password: z.string().optional(),
  method: z.enum(['password', 'ip']),
  /** The source address an `ip` device is trusted from. */
  ip: z.string().optional(),
  enabled: z.boolean(),
  ownerId: z.string().optional(),
  allowClearPassword: z.boolean(),
  authorizingType: z.string(),
  presenceId: z.string().optional(),
  suppressUnregisterNotifications: z.boolean(),
  registerOverwriteNotify: z.boolean(),
});
export type DeviceEntry = z.infer<typeof deviceEntrySchema>;
