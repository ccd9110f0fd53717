export * from './shared-fixtures.js';
