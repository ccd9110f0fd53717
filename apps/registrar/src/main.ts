// The registrar process: `node --import tsx apps/registrar/src/main.ts` (variables: apps/registrar/README.md).
import { runWhapp } from '@fife/whapp';
import { registrarWhapp } from './app.js';

await runWhapp(registrarWhapp());
