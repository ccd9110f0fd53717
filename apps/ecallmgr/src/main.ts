import { runWhapp } from '@fife/whapp';
import { ecallmgrWhapp } from './whapp.js';

await runWhapp(ecallmgrWhapp());
