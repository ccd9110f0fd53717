export * from './domain/index.js';
export * from './documents/extension-doc.js';
export { callgroupConfigShape, type CallgroupConfig, type CallgroupConfigShape } from './config.js';
export { callgroupWhapp, CALLGROUP_VERSION } from './whapp.js';
export { runPlanCli, type CliIo } from './bin/plan-cli.js';
export { planFromReply } from './service/wire.js';
export { PLAN_ERROR_NAME } from './handlers/plan-req.js';
