import { Histogram } from 'prom-client';
import type { WhappContext } from '@fife/whapp';
import type { RouterConfigShape } from '../config.js';
import { watchRegistrations } from '../handlers/registrations.js';
import { RouterLookupFactory } from '../lookups/index.js';

/**
 * The router's lookups as the whapp runs them: timeouts and cache lifetimes from the config, the
 * registration events that keep cached reg_query answers current, and a histogram of how long each
 * lookup takes (cache hits included), which is where a slow route shows what it waited for.
 */
export async function routerLookups(ctx: WhappContext<RouterConfigShape>): Promise<RouterLookupFactory> {
  const { config, bus, log } = ctx;
  const lookupSeconds = new Histogram({
    name: 'fife_router_lookup_seconds',
    help: 'Time of one routing lookup (CouchDB read, reg_query, calendar, callgroup, ...), by lookup and by source (cache or asked)',
    labelNames: ['lookup', 'source'],
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [ctx.metrics.registry],
  });
  const lookups = new RouterLookupFactory({
    bus,
    store: ctx.store,
    log,
    timeouts: {
      regQueryMs: config.ROUTER_REG_TIMEOUT_MS,
      channelsMs: config.ROUTER_CHANNELS_TIMEOUT_MS,
      calendarMs: config.ROUTER_CALENDAR_TIMEOUT_MS,
      callgroupMs: config.ROUTER_CALLGROUP_TIMEOUT_MS,
      storeMs: config.ROUTER_STORE_TIMEOUT_MS,
    },
    caches: { regCacheMs: config.ROUTER_REG_CACHE_MS, calendarCacheMs: config.ROUTER_CALENDAR_CACHE_MS },
    observe: (lookup, seconds, source) => lookupSeconds.observe({ lookup, source }, seconds),
  });
  if (config.ROUTER_REG_CACHE_MS > 0) await watchRegistrations(bus, lookups.contacts);
  // Builds the DID index now rather than on the first carrier call.
  void lookups.numbers.accountIdOf('').catch((err) => log.warn({ err }, 'router: DID index not built at start'));
  ctx.onStop(() => lookups.close());
  return lookups;
}
