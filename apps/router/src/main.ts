// The router whapp process: `node --import tsx apps/router/src/main.ts` (or `fife up`).
import { runWhapp } from '@fife/whapp';
import { routerWhapp } from './whapp.js';

await runWhapp(routerWhapp());
