import { z } from 'zod';

/**
 * The declarative provisioning file (YAML). Entries are strict: an unknown key is a typo and is refused
 * with its name. Documents refer to each other by name; the owners (whapps) validate the rest of each
 * document when it is applied.
 */

/** Phone numbers are text: an unquoted YAML number would lose leading zeros and `+`. */
const numberText = z.string({ error: (i) => (typeof i.input === 'number' ? 'numbers are text here: quote it ("1001")' : 'expected text') }).min(1);

/** Any one-line text without surrounding spaces: names are keys (and hashed into ids), never parsed. */
const name = z
  .string({ error: 'expected a name (text)' })
  .max(200)
  .regex(/^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u, 'a name is one line of text without leading or trailing spaces');

const docId = z.string().regex(/^[0-9a-f]{32}$/, 'expected 32 lowercase hex characters');
const anyId = z.string().min(1);
const callerIdSet = z.record(z.string(), z.unknown());

export const deviceEntrySchema = z
  .strictObject({
    name,
    id: anyId.optional().describe('keep an existing document id (export writes it when it is not the derived one)'),
    username: z.string().min(1).describe('SIP username'),
    password: z.string().min(1).optional().describe('SIP digest password'),
    ip: z.union([z.ipv4(), z.ipv6()]).optional().describe('IP authentication: the device is trusted by its source address'),
    realm: z.string().min(1).optional().describe('overrides the account realm'),
    enabled: z.boolean().optional(),
    allow_clear_password: z.boolean().optional(),
    device_type: z.string().optional(),
    call_waiting: z.boolean().optional(),
    dialout_allowed: z.boolean().optional(),
    caller_id: callerIdSet.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.password === undefined && d.ip === undefined) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'a device needs a password (digest auth) or an ip (IP auth)' });
    }
  });

const forwardTarget = z.union([
  numberText,
  z.strictObject({ to: numberText, enabled: z.boolean().optional() }),
]);

export const forwardSchema = z.strictObject({
  immediate: forwardTarget.optional().describe('every call goes there at once'),
  after: z
    .strictObject({ seconds: z.number().int().positive(), to: numberText, enabled: z.boolean().optional() })
    .optional()
    .describe('the devices ring this long, then the target'),
  busy: forwardTarget.optional().describe('when the user is busy'),
  unavailable: forwardTarget.optional().describe('when no device is registered'),
});

export const userEntrySchema = z.strictObject({
  name,
  id: anyId.optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().min(1).optional(),
  email: z.email().optional(),
  enabled: z.boolean().optional(),
  devices: z.array(name).optional().describe('names of the devices the user owns'),
  forward: forwardSchema.optional(),
  call_waiting: z.boolean().optional().describe('false: busy while in a call'),
  calendar: name.optional().describe('name of the personal (busy/free) calendar'),
  caller_id: callerIdSet.optional(),
  dialout_allowed: z.boolean().optional(),
});

export type FlowNode = { module: string; data?: Record<string, unknown>; children?: Record<string, FlowNode> };

/** A callflow node: `data.user`, `data.device` and `data.calendar` are names, resolved to ids. */
export const flowNodeSchema: z.ZodType<FlowNode> = z.lazy(() =>
  z.strictObject({
    module: z.string().min(1),
    data: z.record(z.string(), z.unknown()).optional(),
    children: z.record(z.string(), flowNodeSchema).optional(),
  }),
);

export const callflowEntrySchema = z
  .strictObject({
    name,
    id: anyId.optional(),
    numbers: z.array(numberText).optional(),
    patterns: z.array(z.string().min(1)).optional(),
    flow: flowNodeSchema,
  })
  .superRefine((c, ctx) => {
    if ((c.numbers?.length ?? 0) + (c.patterns?.length ?? 0) === 0) {
      ctx.addIssue({ code: 'custom', path: ['numbers'], message: 'a callflow needs at least one number or pattern' });
    }
  });

const memberSchema = z.strictObject({
  ext: numberText,
  type: z.string().optional(),
  active: z.boolean().optional(),
});

/** A call-group extension (the callgroup whapp's format): GROUP/MULTIRING ranks, or a SIMPLE member phone. */
export const callgroupEntrySchema = z.strictObject({
  ext: numberText,
  type: z.string().optional(),
  name: z.string().nullish(),
  short_name: z.string().nullish(),
  server: z.string().nullish(),
  lang: z.string().optional(),
  outgoing_extension: z.string().nullish(),
  outgoing_name: z.string().nullish(),
  dialout_allowed: z.boolean().optional(),
  ringback: z.string().nullish(),
  forward: z.strictObject({ mode: z.string(), delay: z.number().nullish(), to: numberText.nullish() }).nullish(),
  ranks: z
    .array(z.strictObject({ mode: z.string().optional(), delay: z.number().nullish(), members: z.array(memberSchema).optional() }))
    .optional(),
  call_waiting: z.boolean().optional(),
  static_target: z.string().nullish(),
});

export const calendarEntrySchema = z
  .strictObject({
    name,
    id: anyId.optional(),
    kind: z.enum(['hours', 'personal', 'oncall']).optional(),
    timezone: z.string().optional(),
    ics: z.string().min(1).optional().describe('the iCalendar text, inline'),
    ics_file: z.string().min(1).optional().describe('a .ics file, relative to the provisioning file'),
    feed: z.string().min(1).optional().describe('ICS feed URL (http(s) or webcal), fetched by the calendar whapp'),
    refresh_s: z.number().int().optional(),
    closures: name.optional().describe('name of the closures (holidays) calendar'),
    oncall: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((c, ctx) => {
    const given = [c.ics, c.ics_file, c.feed].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', path: ['ics'], message: 'give exactly one of ics, ics_file or feed' });
    if (c.refresh_s !== undefined && c.feed === undefined) ctx.addIssue({ code: 'custom', path: ['refresh_s'], message: 'only a feed is refreshed' });
  });

export const resourceEntrySchema = z.strictObject({
  name,
  id: anyId.optional(),
  enabled: z.boolean().optional(),
  weight: z.number().int().optional(),
  rules: z.array(z.string()),
  gateways: z.array(z.record(z.string(), z.unknown())),
});

export const accountEntrySchema = z.strictObject({
  name,
  realm: z.string().min(1),
  id: docId.optional(),
  timezone: z.string().optional(),
  enabled: z.boolean().optional(),
  numbering: z.record(z.string(), z.unknown()).optional(),
  caller_id: callerIdSet.optional(),
  devices: z.array(deviceEntrySchema).default([]),
  users: z.array(userEntrySchema).default([]),
  callflows: z.array(callflowEntrySchema).default([]),
  callgroups: z.array(callgroupEntrySchema).default([]),
  calendars: z.array(calendarEntrySchema).default([]),
  resources: z.array(resourceEntrySchema).default([]),
});

export const provisioningFileSchema = z.strictObject({
  accounts: z.array(accountEntrySchema).min(1, 'a provisioning file lists at least one account'),
});

export type ProvisioningFile = z.infer<typeof provisioningFileSchema>;
export type ProvisioningFileInput = z.input<typeof provisioningFileSchema>;
export type AccountEntry = z.infer<typeof accountEntrySchema>;
export type DeviceEntry = z.infer<typeof deviceEntrySchema>;
export type UserEntry = z.infer<typeof userEntrySchema>;
export type CallflowEntry = z.infer<typeof callflowEntrySchema>;
export type CallgroupEntry = z.infer<typeof callgroupEntrySchema>;
export type CalendarEntry = z.infer<typeof calendarEntrySchema>;
export type ResourceEntry = z.infer<typeof resourceEntrySchema>;
