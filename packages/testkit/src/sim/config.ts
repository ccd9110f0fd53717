import { z } from 'zod';

/** How a phone answers an INVITE. Times are seconds after the INVITE reached it. */
export const BehaviourSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('answer'),
    afterS: z.number().nonnegative().default(0),
    /** Hangs up (NORMAL_CLEARING) this many seconds after answering. */
    hangupAfterS: z.number().positive().optional(),
    earlyMedia: z.boolean().default(false),
  }),
  z.object({ kind: z.literal('busy'), afterS: z.number().nonnegative().default(0) }),
  z.object({
    kind: z.literal('reject'),
    afterS: z.number().nonnegative().default(0),
    cause: z.string().default('CALL_REJECTED'),
  }),
  z.object({ kind: z.literal('noanswer') }),
  /** Registered, but nothing answers at the contact: sofia reports NORMAL_TEMPORARY_FAILURE (503). */
  z.object({ kind: z.literal('unreachable') }),
]);
export type Behaviour = z.infer<typeof BehaviourSchema>;
export type BehaviourInput = z.input<typeof BehaviourSchema>;

export const ScriptStepSchema = z
  .object({
    atS: z.number().nonnegative(),
    behaviour: BehaviourSchema.optional(),
    action: z.enum(['register', 'unregister']).optional(),
    call: z.object({ to: z.string().min(1), hangupAfterS: z.number().positive().optional() }).optional(),
  })
  .refine((s) => s.behaviour || s.action || s.call, { message: 'a script step needs behaviour, action or call' });
export type ScriptStep = z.infer<typeof ScriptStepSchema>;

export const EndpointSchema = z.object({
  user: z.string().min(1),
  domain: z.string().min(1),
  password: z.string(),
  behaviour: BehaviourSchema.default({ kind: 'answer', afterS: 0, earlyMedia: false }),
  /** Register when the node starts (the script can register/unregister later). */
  register: z.boolean().default(true),
  expiresS: z.number().int().positive().default(3600),
  ip: z.string().default('127.0.0.1'),
  port: z.number().int().positive().optional(),
  userAgent: z.string().default('fife-sim'),
  callerIdName: z.string().optional(),
  script: z.array(ScriptStepSchema).default([]),
});
export type EndpointConfig = z.infer<typeof EndpointSchema>;
export type EndpointInput = z.input<typeof EndpointSchema>;

export const XmlCurlSchema = z.object({
  url: z.url(),
  /** Further bindings, tried in order when the previous one gives no answer holding the section (as FreeSWITCH does). */
  fallbackUrls: z.array(z.url()).optional(),
  credentials: z.string().optional(),
  timeoutMs: z.number().int().positive().optional(),
});

export const NodeConfigSchema = z.object({
  hostname: z.string().default('fs-sim'),
  switchname: z.string().optional(),
  coreUuid: z.string().uuid().optional(),
  ipv4: z.string().default('127.0.0.1'),
  ipv6: z.string().default('::1'),
  eslHost: z.string().default('127.0.0.1'),
  eslPort: z.number().int().nonnegative().default(0),
  eslPassword: z.string().default('ClueCon'),
  sipProfile: z.string().default('internal'),
  sipPort: z.number().int().positive().default(5060),
  xmlCurl: XmlCurlSchema.optional(),
  /** Challenge INVITEs and check them against the directory, like auth-calls=true. */
  authCalls: z.boolean().default(true),
  /** sofia's sip-expires-late-margin: sofia::expire comes this long after the contact's Expires. */
  expireMarginS: z.number().nonnegative().default(60),
  heartbeatS: z.number().positive().default(20),
  playbackMs: z.number().int().nonnegative().default(2000),
  granularity: z.enum(['freeswitch', 'exact']).default('freeswitch'),
  endpoints: z.array(EndpointSchema).default([]),
});
export type NodeConfig = z.infer<typeof NodeConfigSchema>;
export type NodeConfigInput = z.input<typeof NodeConfigSchema>;

export const SimFileSchema = z.object({
  xmlCurl: XmlCurlSchema.optional(),
  nodes: z.array(NodeConfigSchema).min(1),
});
export type SimFile = z.infer<typeof SimFileSchema>;
