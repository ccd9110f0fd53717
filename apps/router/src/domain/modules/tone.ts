import { z } from 'zod';
import { defineModule, withActions } from '../module.js';
import type { Tone } from '../plan.js';

const toneSchema = z.looseObject({
  frequencies: z.array(z.number().int().positive()).min(1),
  on_ms: z.number().int().nonnegative(),
  off_ms: z.number().int().nonnegative(),
  repeat: z.number().int().positive().optional(),
});

/** Well-known tones (ITU-T E.180 European values), so a flow can say `"name": "busy"`. */
const named: Record<string, Tone[]> = {
  busy: [{ frequencies: [425], onMs: 500, offMs: 500, repeat: 5 }],
  congestion: [{ frequencies: [425], onMs: 250, offMs: 250, repeat: 10 }],
  ringback: [{ frequencies: [425], onMs: 1000, offMs: 4000, repeat: 3 }],
};

/** Plays tones (named or explicit), then continues with `_` or hangs up. */
export const toneModule = defineModule({
  name: 'tone',
  data: z
    .looseObject({ name: z.enum(['busy', 'congestion', 'ringback']).optional(), tones: z.array(toneSchema).min(1).optional() })
    .refine((d) => d.name !== undefined || d.tones !== undefined, { message: 'give a tone name or tones', path: ['name'] }),
  async run(ctx) {
    const tones: Tone[] = ctx.data.tones
      ? ctx.data.tones.map((t) => ({ frequencies: t.frequencies, onMs: t.on_ms, offMs: t.off_ms, ...(t.repeat ? { repeat: t.repeat } : {}) }))
      : named[ctx.data.name!]!;
    const label = ctx.data.name ?? `${tones.length} tone(s)`;
    ctx.reason(`tone ${label}`);
    const next = await ctx.branch('_');
    return withActions([{ app: 'tones', tones }], next, `tone ${label} needs call control`);
  },
});
