import { z } from 'zod';

/** Dialled and configured numbers: ywsd's Yate entry point only routes digit strings (E21). */
export const NumberSchema = z.string().regex(/^[0-9]+$/, 'must be a non-empty string of digits');

export const ExtensionTypeSchema = z.enum(['SIMPLE', 'MULTIRING', 'GROUP', 'EXTERNAL', 'TRUNK']);
export const RankModeSchema = z.enum(['DEFAULT', 'NEXT', 'DROP']);
export const MemberTypeSchema = z.enum(['DEFAULT', 'AUXILIARY', 'PERSISTENT']);
export const ForwardModeSchema = z.enum(['DISABLED', 'ENABLED', 'ON_BUSY', 'ON_UNAVAILABLE']);

const SecondsSchema = z.number().int().min(0).max(86_400);

export const MemberSchema = z.object({
  ext: NumberSchema,
  type: MemberTypeSchema.default('DEFAULT'),
  /** false = membership paused */
  active: z.boolean().default(true),
});

export const RankSchema = z
  .object({
    mode: RankModeSchema.default('DEFAULT'),
    delay: SecondsSchema.nullish(),
    members: z.array(MemberSchema).default([]),
  })
  .superRefine((rank, ctx) => {
    if (rank.mode !== 'DEFAULT' && (rank.delay === undefined || rank.delay === null)) {
      ctx.addIssue({ code: 'custom', path: ['delay'], message: `a ${rank.mode} rank needs a delay` });
    }
  });

export const ForwardSchema = z
  .object({
    mode: ForwardModeSchema,
    /** ENABLED: 0 = immediate, > 0 = delayed; ignored for the other modes */
    delay: SecondsSchema.nullish(),
    to: NumberSchema.nullish(),
  })
  .superRefine((fwd, ctx) => {
    if (fwd.mode === 'ENABLED' && (fwd.delay === undefined || fwd.delay === null)) {
      ctx.addIssue({ code: 'custom', path: ['delay'], message: 'an ENABLED forward needs a delay (0 = immediate)' });
    }
    if (fwd.mode !== 'DISABLED' && !fwd.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `a ${fwd.mode} forward needs a target` });
    }
  });

const HOSTED_TYPES = new Set(['SIMPLE', 'MULTIRING', 'TRUNK']);

export const ExtensionSchema = z
  .object({
    ext: NumberSchema,
    type: ExtensionTypeSchema.default('SIMPLE'),
    name: z.string().max(256).nullish(),
    short_name: z.string().max(64).nullish(),
    /** hosting PBX node; `undefined` gets the default, an explicit null on a phone is a routing error (§1.5.3) */
    server: z.string().max(256).nullish(),
    lang: z.string().min(1).max(32).default('de_DE'),
    outgoing_extension: z.string().regex(/^[0-9+*#]*$/, 'must be digits').max(64).nullish(),
    outgoing_name: z.string().max(256).nullish(),
    dialout_allowed: z.boolean().default(false),
    ringback: z.string().max(256).nullish(),
    forward: ForwardSchema.nullish(),
    ranks: z.array(RankSchema).default([]),
  })
  .transform((ext) => ({
    ...ext,
    name: ext.name ?? null,
    short_name: ext.short_name ?? null,
    server: ext.server === undefined ? (HOSTED_TYPES.has(ext.type) ? 'local' : null) : ext.server,
    outgoing_extension: ext.outgoing_extension ?? null,
    outgoing_name: ext.outgoing_name ?? null,
    ringback: ext.ringback ?? null,
    forward: ext.forward && ext.forward.mode !== 'DISABLED' ? ext.forward : null,
  }));

export type ExtensionInput = z.input<typeof ExtensionSchema>;
export type Extension = z.infer<typeof ExtensionSchema>;
export type Rank = z.infer<typeof RankSchema>;
export type Member = z.infer<typeof MemberSchema>;
export type Forward = z.infer<typeof ForwardSchema>;
export type RankMode = z.infer<typeof RankModeSchema>;
export type MemberType = z.infer<typeof MemberTypeSchema>;
export type ExtensionType = z.infer<typeof ExtensionTypeSchema>;
