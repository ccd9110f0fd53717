import { z } from 'zod';

/**
 * The parts of stored documents the router reads. Devices, users and accounts are declared by the store
 * (loose objects); these schemas only describe the routing fields they may carry, with defaults, so a
 * document without them routes the plain way. Resources (carrier gateways) are the router's own type.
 */

export const callerIdSchema = z.looseObject({
  name: z.string().min(1).optional(),
  number: z.string().min(1).optional(),
});
export type CallerId = z.infer<typeof callerIdSchema>;

/** Which caller-id to present where: `internal` on legs inside the account, `external` on carrier legs. */
export const callerIdSetSchema = z.looseObject({
  internal: callerIdSchema.optional(),
  external: callerIdSchema.optional(),
});

const forwardTarget = z.looseObject({
  number: z.string().min(1),
  enabled: z.boolean().default(true),
});

/** A user's forwards; several may be set at once (e.g. after 15 s and on busy). */
export const callForwardSchema = z.looseObject({
  immediate: forwardTarget.optional(),
  no_answer: forwardTarget.extend({ after_s: z.number().int().positive().default(20) }).optional(),
  busy: forwardTarget.optional(),
  unavailable: forwardTarget.optional(),
});
export type CallForward = z.infer<typeof callForwardSchema>;

export const routingUserSchema = z.looseObject({
  _id: z.string(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  enabled: z.boolean().default(true),
  caller_id: callerIdSetSchema.optional(),
  call_forward: callForwardSchema.optional(),
  call_waiting: z.looseObject({ enabled: z.boolean().default(true) }).optional(),
  dialout_allowed: z.boolean().optional(),
});
export type RoutingUser = z.infer<typeof routingUserSchema>;

export const routingDeviceSchema = z.looseObject({
  _id: z.string(),
  name: z.string().optional(),
  sip: z.looseObject({ username: z.string().min(1), realm: z.string().optional() }),
  owner_id: z.string().optional(),
  enabled: z.boolean().default(true),
  caller_id: callerIdSetSchema.optional(),
  call_waiting: z.looseObject({ enabled: z.boolean().default(true) }).optional(),
  /** Offnet (carrier) calls are refused unless the device, or else its owner, allows them. */
  dialout_allowed: z.boolean().optional(),
});
export type RoutingDevice = z.infer<typeof routingDeviceSchema>;

/**
 * How an account writes numbers, for Whistle-style DID conversions: with country code 32 and national
 * prefix 0, `+3225551234`, `003225551234`, `025551234` and `3225551234` are the same number.
 */
export const numberingSchema = z.looseObject({
  country_code: z.string().regex(/^\d{1,4}$/, 'digits only, without + (e.g. "32")'),
  national_prefix: z.string().regex(/^\d{0,3}$/).default('0'),
  international_prefix: z.string().regex(/^\d{1,4}$/).default('00'),
  /** Numbers this long or shorter are extensions and are never rewritten. */
  short_max_length: z.number().int().min(1).max(10).default(6),
});
export type Numbering = z.infer<typeof numberingSchema>;

export const routingAccountSchema = z.looseObject({
  _id: z.string(),
  name: z.string().optional(),
  realm: z.string(),
  enabled: z.boolean().default(true),
  numbering: numberingSchema.optional(),
  caller_id: callerIdSetSchema.optional(),
});
export type RoutingAccount = z.infer<typeof routingAccountSchema>;

export const gatewaySchema = z.looseObject({
  server: z.string().min(1).describe('host[:port] of the carrier'),
  enabled: z.boolean().default(true),
  username: z.string().optional(),
  password: z.string().optional(),
  prefix: z.string().default(''),
  suffix: z.string().default(''),
  /** How the carrier wants the number: e164 (+32…), e164_no_plus (32…) or national (02…). */
  format: z.enum(['e164', 'e164_no_plus', 'national']).default('e164'),
  codecs: z.array(z.string()).optional(),
  progress_timeout_s: z.number().int().positive().optional(),
});
export type Gateway = z.infer<typeof gatewaySchema>;

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** A carrier resource in an account database (Kazoo's "local resource"): tried by weight, gateways in order. */
export const resourceDocSchema = z.looseObject({
  _id: z.string().optional(),
  _rev: z.string().optional(),
  pvt_type: z.literal('resource'),
  name: z.string().min(1),
  enabled: z.boolean().default(true),
  /** Lower weight is tried first. */
  weight: z.number().int().min(0).max(100).default(50),
  /** Regular expressions against the E.164 form of the number (`^\+32\d{8,9}$`). */
  rules: z.array(z.string().min(1).refine(compiles, 'not a valid regular expression')).min(1),
  gateways: z.array(gatewaySchema).min(1),
});
export type ResourceDoc = z.infer<typeof resourceDocSchema>;
