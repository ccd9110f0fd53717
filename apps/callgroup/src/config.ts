import { z } from 'zod';
import type { Config } from '@fife/whapp';

const ms = (fallback: number) => z.coerce.number().int().min(1).max(10_000).default(fallback);

/** The callgroup whapp's own settings (environment variables, validated at boot). */
export const callgroupConfigShape = {
  CALLGROUP_QUEUE: z.string().min(1).default('fife.callgroup.plan').describe('Shared durable queue of plan_req (competing consumers)'),
  CALLGROUP_PREFETCH: z.coerce.number().int().min(1).max(1000).default(32).describe('plan_req messages handled at once per process'),
  CALLGROUP_REG_TIMEOUT_MS: ms(250).describe(
    'Deadline of the reg_query lookups (one per user, in parallel; the first registrar answer counts)',
  ),
  CALLGROUP_CHANNELS_TIMEOUT_MS: ms(100).describe(
    'Longest wait for query_user_channels replies; the query asks every ecallmgr to answer (Fife-Reply-Always), so it usually ends as soon as all have',
  ),
  CALLGROUP_BUSY_LOOKUP: z
    .enum(['ecallmgr', 'off'])
    .default('ecallmgr')
    .describe('ecallmgr: ask query_user_channels who is in a call; off: assume everyone idle (logged on the tree)'),
  CALLGROUP_SILENT_REGISTRAR: z
    .enum(['assume-registered', 'offline'])
    .default('assume-registered')
    .describe(
      'When no registrar answers reg_query in time: assume-registered rings user/<ext>@<realm> and lets FreeSWITCH decide; offline skips the user',
    ),
  CALLGROUP_SIP_PROFILE: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('internal').describe('sofia profile of device legs'),
  CALLGROUP_EXTERNAL_TARGET: z
    .string()
    .includes('{number}')
    .default('loopback/{number}')
    .describe('Dial target of EXTERNAL legs; {number} is replaced (default re-enters the dialplan, so the router routes it offnet)'),
  CALLGROUP_RING_TIMEOUT_S: z.coerce.number().int().min(10).max(86_400).default(600).describe('How long legs without an end may ring (originate_timeout)'),
} as const;

export type CallgroupConfigShape = typeof callgroupConfigShape;
export type CallgroupConfig = Config<CallgroupConfigShape>;
