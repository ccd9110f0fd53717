// The calendar whapp process: `node --import tsx apps/calendar/src/main.ts` (or `fife up`).
import { runWhapp } from '@fife/whapp';
import { createCalendarWhapp } from './whapp.js';

await runWhapp(createCalendarWhapp().definition);
