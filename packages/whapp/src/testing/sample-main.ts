// The smallest app main: used by the runtime's tests to check process-level behaviour (exit codes).
import { runWhapp } from '../index.js';

await runWhapp({ name: 'sample', version: '0.0.0', config: {}, setup: async () => undefined });
