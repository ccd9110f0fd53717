import { Counter } from 'prom-client';
import { registerDocumentSchema } from '@fife/store';
import { callflowKind, serveProvisioning } from '@fife/provisioning';
import type { WhappContext, WhappDefinition } from '@fife/whapp';
import { resourceDocSchema } from './domain/documents.js';
import { routerConfigShape, type RouterConfigShape } from './config.js';
import { dryRunHandler } from './handlers/dry-run.js';
import { routeReqHandler } from './handlers/route-req.js';
import { routeWinHandler } from './handlers/route-win.js';
import { routerLookups } from './service/lookups-wiring.js';
import { ParkedPlans } from './service/parked.js';
import { RouterService } from './service/router-service.js';

export interface RouterWhappOptions {
  /** The clock calendars are asked about (tests pin it). */
  now?: () => Date;
}

/** Both key forms (kazoo-wire §4.1): `<type>.<account-id>` and, for calls without an account, `<type>.<realm>.<user>`. */
export const ROUTE_REQ_BINDINGS = ['route.req.audio.*', 'route.req.video.*', 'route.req.audio.*.*', 'route.req.video.*.*'];

async function setup(ctx: WhappContext<RouterConfigShape>, options: RouterWhappOptions): Promise<void> {
  const { config, bus, log } = ctx;
  // Resources are the router's document type: writes through the store are validated like the others.
  registerDocumentSchema('resource', resourceDocSchema as never);
  const lookups = await routerLookups(ctx);
  const service = new RouterService(lookups, { deadlineMs: config.ROUTER_DEADLINE_MS }, log);
  const parked = new ParkedPlans();
  const now = options.now ?? (() => new Date());
  const winQueue = `${bus.serverId}.route_win`;
  const outcomes = new Counter({
    name: 'fife_router_route_outcomes_total',
    help: 'route_req outcomes: bridge, park, error, or silent (no callflow / not an account request)',
    labelNames: ['outcome'],
    registers: [ctx.metrics.registry],
  });

  await bus.consume({
    queue: winQueue,
    exclusive: true,
    bindings: [{ exchange: 'targeted', key: winQueue }],
    handlers: [routeWinHandler({ parked })],
  });
  await bus.consume({
    queue: config.ROUTER_QUEUE,
    prefetch: config.ROUTER_PREFETCH,
    bindings: ROUTE_REQ_BINDINGS.map((key) => ({ exchange: 'callmgr', key })),
    handlers: [
      routeReqHandler({
        service,
        parked,
        winQueue,
        now,
        accountIdByRealm: (realm) => lookups.reads.accountIdByRealm(realm),
        accountIdByNumber: (dialed) => lookups.numbers.accountIdOf(dialed),
        onOutcome: (outcome) => outcomes.inc({ outcome }),
      }),
    ],
  });
  await bus.consume({ queue: `${config.ROUTER_QUEUE}.dry_run`, prefetch: 16, handlers: [dryRunHandler({ service, now, accountIdByRealm: (realm) => lookups.reads.accountIdByRealm(realm) })] });
  // The router owns callflows and resources: provisioning writes of them are validated here.
  const resourceKind = { type: 'resource', schema: resourceDocSchema };
  await serveProvisioning(bus, ctx.store, { queue: `${config.ROUTER_QUEUE}.provisioning`, kinds: { callflow: callflowKind, resource: resourceKind } });
  log.info({ queue: config.ROUTER_QUEUE, winQueue }, 'router: consuming route_req');
}

/** The router whapp: route_req → route_resp from the account's callflows, dry runs, parked plans on route_win. */
export function routerWhapp(options: RouterWhappOptions = {}): WhappDefinition<RouterConfigShape> {
  return { name: 'router', version: '0.1.0', config: routerConfigShape, store: true, setup: (ctx) => setup(ctx, options) };
}
