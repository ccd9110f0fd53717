import { z } from 'zod';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text) => text.split(',').map((s) => s.trim()).filter((s) => s !== ''));

const ms = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

/** The registrar's own environment variables (on top of the base ones every whapp reads). */
export const registrarConfig = {
  REGISTRAR_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('fife.registrar')
    .describe('Prefix of the shared durable queues (<prefix>.authn, .reg_success, .reg_query); every process of one cluster uses the same'),
  REGISTRAR_REALMS: list('*').describe('Realms this registrar serves (comma-separated); "*" = all. Narrows the AMQP bindings'),
  REGISTRAR_BIND_AUTHN_ENDPOINT: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .describe('Also consume authn_req on registrar/authn.endpoint.req.* (kazoo-configs-kamailio master, kazoo-wire §8.3)'),
  REGISTRAR_CLEAR_PASSWORD_APPS: list('kamailio').describe('App-Names of requesters that check Auth-Password as plain text'),
  REGISTRAR_CLEAR_PASSWORD_REALMS: list('').describe(
    'Realms whose devices may be given their clear password by those requesters (besides allow_clear_password on a device or account)',
  ),
  REGISTRAR_UNKNOWN_REALM: z
    .enum(['error', 'silent'])
    .default('error')
    .describe('authn_req for a realm no account has: "error" answers authn_err (Kazoo), "silent" leaves it to other registrars'),
  REGISTRAR_EXPIRES_DEVIATION_S: z.coerce.number().int().nonnegative().default(180).describe('Seconds a binding outlives its Expires'),
  REGISTRAR_MAX_CONTACTS: z.coerce.number().int().positive().default(10).describe('Bindings kept per device (AOR); the oldest is evicted'),
  REGISTRAR_SWEEP_INTERVAL_MS: ms(30_000).describe('Expiry sweep period (jittered ±20%); 0 disables the sweep'),
  REGISTRAR_COMPACT_INTERVAL_MS: ms(3_600_000).describe('Compaction period of the registrations database; 0 disables it (CouchDB 3 auto-compaction)'),
  REGISTRAR_WRITE_BATCH: z.coerce.number().int().positive().default(250).describe('Bindings per _bulk_docs request'),
  REGISTRAR_WRITE_FLUSH_MS: ms(10).describe('How long a write waits to be batched with others'),
  REGISTRAR_STORE_TIMEOUT_MS: z.coerce.number().int().positive().default(1500).describe('A CouchDB read slower than this counts as CouchDB down'),
  REGISTRAR_REQUEST_TTL_MS: z.coerce.number().int().positive().default(10_000).describe('authn_req / reg_query older than this are dropped by the broker'),
  REGISTRAR_AUTHN_PREFETCH: z.coerce.number().int().positive().default(64).describe('authn_req handled at once per process'),
  REGISTRAR_REG_PREFETCH: z.coerce.number().int().positive().default(200).describe('reg_success in flight (unacked, awaiting their write) per process'),
} as const;
