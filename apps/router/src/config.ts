import { z } from 'zod';
import type { Config } from '@fife/whapp';

const ms = (fallback: number) => z.coerce.number().int().min(1).max(10_000).default(fallback);

/** The router's own settings (environment variables, validated at boot). */
export const routerConfigShape = {
  ROUTER_QUEUE: z.string().min(1).default('fife.router.route_req').describe('Shared durable queue of route_req (competing consumers)'),
  ROUTER_PREFETCH: z.coerce.number().int().min(1).max(1000).default(64).describe('route_req messages handled at once per process'),
  ROUTER_DEADLINE_MS: ms(1500).describe('Time to answer one route_req, lookups included (keep below ecallmgr fetch timeout, 2600 ms)'),
  ROUTER_REG_TIMEOUT_MS: ms(250).describe('reg_query deadline per device (first registrar answer counts; silence → registrations database)'),
  ROUTER_CHANNELS_TIMEOUT_MS: ms(150).describe('Longest wait for channel-query replies (only for users with call waiting off); ends early once every ecallmgr answered'),
  ROUTER_CALENDAR_TIMEOUT_MS: ms(300).describe('calendar status / on-call deadline'),
  ROUTER_CALLGROUP_TIMEOUT_MS: ms(600).describe('callgroup plan deadline'),
  ROUTER_STORE_TIMEOUT_MS: ms(500).describe('Bound on one CouchDB read (cached reads are immediate)'),
  ROUTER_REG_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000)
    .describe('How long a reg_query answer is reused (dropped earlier by reg_success / reg_flush for that user, and at contact expiry); 0 = always ask'),
  ROUTER_CALENDAR_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000)
    .describe("Longest reuse of a calendar status / on-call answer inside its window (until its Until; dropped when the account's documents change); 0 = always ask"),
} as const;

export type RouterConfigShape = typeof routerConfigShape;
export type RouterConfig = Config<RouterConfigShape>;
