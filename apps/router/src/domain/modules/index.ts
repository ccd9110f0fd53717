import type { FlowModule } from '../module.js';
import { calendarModule } from './calendar.js';
import { callgroupModule } from './callgroup.js';
import { deviceModule } from './device.js';
import { hangupModule } from './hangup.js';
import { offnetModule } from './offnet.js';
import { oncallModule } from './oncall.js';
import { playModule } from './play.js';
import { toneModule } from './tone.js';
import { transferModule } from './transfer.js';
import { userModule } from './user.js';

/** Every callflow module the router runs, by the `module` name a flow node uses. */
export const flowModules: ReadonlyMap<string, FlowModule> = new Map<string, FlowModule>(
  [deviceModule, userModule, callgroupModule, calendarModule, oncallModule, playModule, toneModule, hangupModule, transferModule, offnetModule].map(
    (m) => [m.name, m as FlowModule],
  ),
);
