import { z } from 'zod';

const rate = z.number().positive().max(100_000);

/** Everything a load run can be told; every field has a default that makes a quick run on a laptop. */
export const LoadOptionsSchema = z
  .object({
    /** Simulated SIP phones, spread round-robin over the nodes; each is one device in CouchDB. */
    phones: z.number().int().min(2).max(200_000).default(2000),
    /** Simulated FreeSWITCH nodes. */
    nodes: z.number().int().min(1).max(8).default(2),
    /** Processes per app (apps not named run one). */
    scale: z.record(z.string().regex(/^[a-z0-9-]+$/), z.number().int().min(1).max(16)).default({}),
    /** Which apps run (default: every app with a src/main.ts). ecallmgr, registrar and router are required. */
    apps: z.array(z.string().min(1)).optional(),
    /** Registration steps (REGISTER + digest via mod_xml_curl per second), in order. */
    regRates: z.array(rate).min(1).default([100, 200, 400, 800]),
    /** Call steps (INVITE + dialplan per second), in order. */
    callRates: z.array(rate).default([10, 20, 40, 80]),
    stepSeconds: z.number().positive().max(600).default(5),
    /** Bare AMQP round trips measured before each step at that step's rate, for this long. */
    baselineSeconds: z.number().positive().max(60).default(2),
    /** Phones that have an extension (callflow → device) and receive calls. */
    callees: z.number().int().min(1).default(100),
    /** Seconds a call stays up after it is placed. */
    callHoldS: z.number().positive().max(60).default(1),
    /** Restart every node and have every phone re-register at once. */
    storm: z.boolean().default(true),
    /** Give up waiting for the storm to be absorbed after this long. */
    stormDeadlineS: z.number().positive().max(900).default(120),
    /** A phone whose REGISTER failed during the storm tries again after this long (jittered ±50 %). */
    stormRetryS: z.number().positive().max(60).default(2),
    /** mod_xml_curl fetches a node has in flight at most (FreeSWITCH answers REGISTERs from a bounded thread pool). */
    maxInflightPerNode: z.number().int().min(1).max(20_000).default(100),
    /** Broker to use (default: AMQP_URL or the private test node). */
    amqpUrl: z.string().optional(),
    /** Run in a private RabbitMQ vhost created for the run (default), so no other Fife on the broker interferes. */
    privateVhost: z.boolean().default(true),
    /** Where CouchDB data and process logs go (default: a temporary folder, removed afterwards). */
    dataDir: z.string().optional(),
    /** LOG_LEVEL of the cluster's processes. */
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .refine((o) => o.callees <= o.phones / 2, { path: ['callees'], message: 'at most half of the phones can be callees (the rest place the calls)' })
  .refine((o) => o.callees >= o.nodes, { path: ['callees'], message: 'every node needs a callee: at least as many callees as nodes' });

export type LoadOptions = z.infer<typeof LoadOptionsSchema>;
export type LoadOptionsInput = z.input<typeof LoadOptionsSchema>;

/** Command-line flags as strings (what `node:util` parseArgs and commander hand over). */
export type LoadFlags = {
  phones?: string;
  nodes?: string;
  scale?: string[];
  apps?: string;
  regRates?: string;
  callRates?: string;
  stepSeconds?: string;
  baselineSeconds?: string;
  callees?: string;
  callHold?: string;
  storm?: boolean;
  stormDeadline?: string;
  maxInflight?: string;
  logLevel?: string;
  dataDir?: string;
};

const num = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`--${flag}: "${text}" is not a number`);
  return n;
};
const list = (flag: string, text: string | undefined): number[] | undefined =>
  text === undefined ? undefined : text.trim() === '' ? [] : text.split(',').map((t) => num(flag, t.trim())!);

function scaleOf(entries: string[] | undefined): Record<string, number> | undefined {
  if (!entries?.length) return undefined;
  const scale: Record<string, number> = {};
  for (const entry of entries.flatMap((e) => e.split(','))) {
    const m = /^([a-z0-9-]+)=(\d+)$/.exec(entry.trim());
    if (!m) throw new Error(`--scale ${entry}: expected <app>=<count>`);
    scale[m[1]!] = Number(m[2]);
  }
  return scale;
}

/** Flags → validated options; a bad flag throws an error naming it. */
export function optionsFromFlags(flags: LoadFlags): LoadOptions {
  const input: Record<string, unknown> = {
    phones: num('phones', flags.phones),
    nodes: num('nodes', flags.nodes),
    scale: scaleOf(flags.scale),
    apps: flags.apps?.split(',').map((a) => a.trim()).filter(Boolean),
    regRates: list('reg-rates', flags.regRates),
    callRates: list('call-rates', flags.callRates),
    stepSeconds: num('step-seconds', flags.stepSeconds),
    baselineSeconds: num('baseline-seconds', flags.baselineSeconds),
    callees: num('callees', flags.callees),
    callHoldS: num('call-hold', flags.callHold),
    storm: flags.storm,
    stormDeadlineS: num('storm-deadline', flags.stormDeadline),
    maxInflightPerNode: num('max-inflight', flags.maxInflight),
    logLevel: flags.logLevel,
    dataDir: flags.dataDir,
  };
  const parsed = LoadOptionsSchema.safeParse(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new Error(`invalid load options: ${why}`);
  }
  return parsed.data;
}
