export * from './domain/index.js';
export { routerWhapp, ROUTE_REQ_BINDINGS, type RouterWhappOptions } from './whapp.js';
export { routerConfigShape, type RouterConfig, type RouterConfigShape } from './config.js';
export { callInputOf, requestRealm } from './handlers/route-req.js';
export { RouterService, type RouterServiceOptions } from './service/router-service.js';
export { ParkedPlans } from './service/parked.js';
export { RouterLookupFactory, StoreReads, AmqpAsk, Budget, withDeadline, contactUri, type LookupDeps, type AmqpTimeouts } from './lookups/index.js';
export { parseRouteArgs, dryRunFields, formatDryRun, routeUsage, type RouteArgs } from './bin/route-cli.js';
