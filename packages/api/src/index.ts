export * from './errors.js';
export * from './exchanges.js';
export * from './routing-key.js';
export * from './headers.js';
export * from './define.js';
