export * from './shared-fixtures.js';
export * from './broker.js';
