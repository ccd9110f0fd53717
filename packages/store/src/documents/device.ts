import { z } from 'zod';
import { couchFields, docIdSchema, nonEmptyString, realmSchema, stamps } from './common.js';

const ip = z.union([z.ipv4(), z.ipv6()]);

export const sipCredentialsSchema = z
  .looseObject({
    username: nonEmptyString,
    password: z.string().min(1).optional(),
    /** Overrides the account realm for this device. */
    realm: realmSchema.optional(),
    /** `password`: digest auth; `ip`: the device is trusted by its source address instead. */
    method: z.enum(['password', 'ip']).default('password'),
    ip: ip.optional(),
  })
  .superRefine((sip, ctx) => {
    if (sip.method === 'password' && sip.password === undefined) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'required when method is "password"' });
    }
    if (sip.method === 'ip' && sip.ip === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ip'], message: 'required when method is "ip"' });
    }
  });

/** A SIP endpoint in an account database. */
export const deviceDocSchema = z.looseObject({
  ...couchFields,
  ...stamps,
  pvt_type: z.literal('device'),
  name: nonEmptyString.optional(),
  sip: sipCredentialsSchema,
  owner_id: docIdSchema.optional(),
  enabled: z.boolean().default(true),
  /** Answer authn requests with the clear password instead of an a1-hash. */
  allow_clear_password: z.boolean().default(false),
  device_type: z.string().optional(),
});
export type DeviceDoc = z.infer<typeof deviceDocSchema>;
export type DeviceInput = z.input<typeof deviceDocSchema>;

/** What a caller supplies to create a device. */
export const newDeviceSchema = deviceDocSchema.omit({ pvt_type: true, _rev: true, _deleted: true });
export type NewDevice = z.input<typeof newDeviceSchema>;
