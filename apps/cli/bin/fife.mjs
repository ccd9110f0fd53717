#!/usr/bin/env node
// The `fife` command. Fife runs TypeScript through the tsx loader (no build step), registered here.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
