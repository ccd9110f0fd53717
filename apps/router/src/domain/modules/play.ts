import { z } from 'zod';
import { defineModule, withActions } from '../module.js';

/** Answers and plays media, then continues with the `_` child (or hangs up): needs call control. */
export const playModule = defineModule({
  name: 'play',
  data: z.looseObject({ media: z.string().min(1) }),
  async run(ctx) {
    ctx.reason(`play ${ctx.data.media}`);
    const next = await ctx.branch('_');
    return withActions([{ app: 'answer' }, { app: 'play', media: ctx.data.media }], next, `play ${ctx.data.media} needs call control`);
  },
});
