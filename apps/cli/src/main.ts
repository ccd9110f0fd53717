import { Command } from 'commander';
import { registerCalendar } from './commands/calendar.js';
import { registerCallgroup } from './commands/callgroup.js';
import { registerStatus } from './commands/status.js';
import { registerUp } from './commands/up.js';
import { registerSim } from './commands/sim.js';
import { registerRoute } from './commands/route.js';

const program = new Command('fife').description('Fife: FreeSWITCH calls over AMQP').version('0.1.0');
registerUp(program);
registerStatus(program);
registerSim(program);
registerRoute(program);
registerCallgroup(program);
registerCalendar(program);

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`fife: ${err.message}\n`);
  process.exit(1);
});
