export { baseConfigShape, loadConfig, defaultNodeName, redactUrl, type Config, type ConfigShape } from './config.js';
export { createLogger, redactedPaths } from './logger.js';
export { createMetrics, type Metrics } from './metrics.js';
export { startHttp, type ReadinessCheck } from './http.js';
export { startWhapp, runWhapp, type WhappContext, type WhappDefinition, type RunningWhapp } from './runtime.js';
