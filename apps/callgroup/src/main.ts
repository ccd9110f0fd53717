// The callgroup whapp process: `node --import tsx apps/callgroup/src/main.ts` (or `fife up`).
import { runWhapp } from '@fife/whapp';
import { callgroupWhapp } from './whapp.js';

await runWhapp(callgroupWhapp);
