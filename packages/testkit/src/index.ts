export * from './shared-fixtures.js';
export * from './broker.js';
export * from './sim/index.js';
export * from './vhost.js';
