export { FifeClient, type ClientOptions } from './client.js';
export { Registrations, type RegistrationQuery } from './registrations.js';
export { Calendars, type CalendarQuery } from './calendars.js';
export { Calls, type EventFilter, type Subscription } from './calls.js';
export { System } from './system.js';
export { Provisioning } from './provisioning.js';
export { Routes, type RouteDryRun, type RoutePlan } from './routes.js';
export { Callgroups, type CallgroupPlan, type CallgroupPlanQuery } from './callgroups.js';
export { remoteError, isErrorReply } from './remote-error.js';
