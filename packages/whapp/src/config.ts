import { hostname } from 'node:os';
import { z } from 'zod';
import { FifeError } from '@fife/api';

/** Settings every Fife process reads from its environment. Apps extend this with their own keys. */
export const baseConfigShape = {
  AMQP_URL: z.string().url().default('amqp://guest:guest@127.0.0.1:5672').describe('RabbitMQ URL (amqp://user:pass@host:port/vhost)'),
  AMQP_RECONNECT_MAX_RETRIES: z.coerce.number().int().nonnegative().default(60).describe('Reconnect attempts (0.5 s to 5 s apart) before the process gives up and exits 1'),
  COUCH_URL: z.string().url().optional().describe('CouchDB URL with credentials; unset = the embedded CouchDB-compatible server'),
  FIFE_DATA_DIR: z.string().default('.fife').describe('Folder for local state (embedded CouchDB data, pid files)'),
  NODE_NAME: z.string().min(1).optional().describe('Node name in the Kazoo `Node` header; default <app>@<hostname>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
  HTTP_HOST: z.string().default('127.0.0.1').describe('Address of the /healthz, /readyz and /metrics endpoint'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(0).describe('Port of that endpoint; 0 = any free port'),
  DRAIN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000).describe('How long SIGTERM waits for in-flight work'),
} as const;

export type ConfigShape = z.ZodRawShape;
const baseConfigSchema = z.object(baseConfigShape);
export type BaseConfig = z.infer<typeof baseConfigSchema>;
export type Config<S extends ConfigShape> = BaseConfig & z.infer<z.ZodObject<S>>;

/** Parses the environment at boot; an invalid value stops the process with the variable named. */
export function loadConfig<S extends ConfigShape>(appShape: S, env: NodeJS.ProcessEnv = process.env): Config<S> {
  const schema = z.object({ ...baseConfigShape, ...appShape });
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data as Config<S>;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new FifeError('config.invalid', `invalid configuration: ${problems.join('; ')}`, { variables: parsed.error.issues.map((i) => i.path.join('.')) });
}

export function defaultNodeName(app: string): string {
  return `${app}@${hostname()}`;
}

/** Hides the password part of a URL so it can be logged. */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}
