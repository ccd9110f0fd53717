import { authn } from './authn.js';
import { call } from './call.js';
import { callgroup } from './callgroup.js';
import { dialplan } from './dialplan.js';
import { error } from './error.js';
import { nodes } from './nodes.js';
import { registration } from './registration.js';
import { resource } from './resource.js';
import { route } from './route.js';
import { system } from './system.js';
import { calendar } from './calendar.js';
import { router } from './router.js';
import { provisioning } from './provisioning.js';

export * from './authn.js';
export * from './call.js';
export * from './callgroup.js';
export { customApplicationVars, customChannelVars, customSipHeaders, mediaMode } from './common.js';
export * from './dialplan.js';
export * from './error.js';
export * from './nodes.js';
export * from './registration.js';
export * from './resource.js';
export * from './route.js';
export * from './system.js';
export * from './calendar.js';
export * from './router.js';
export * from './provisioning.js';

/**
 * Every declaration, grouped by family. Fife-only families (calendar, callgroup, provisioning) join
 * here as they are written: one module each under families/, category = family name, exchange `fife`.
 */
export const messages = { authn, registration, route, call, dialplan, resource, error, nodes, system, callgroup, calendar, router, provisioning } as const;
