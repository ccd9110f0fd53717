export { LocalCluster, defaultProcessEnv, type LocalClusterOptions } from './cluster.js';
export { AppSupervisor, discoverApps, type SupervisedProcess, type SupervisorOptions } from './supervisor.js';
export { ensureBroker } from './broker.js';
export { formatPingTable, pingAll, type PingReply } from './ping.js';
export { repoRoot } from './paths.js';
export { freePort } from './ports.js';
