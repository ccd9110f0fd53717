import { Command, CommanderError } from 'commander';
import { registerCalendar } from './commands/calendar.js';
import { registerCallgroup } from './commands/callgroup.js';
import { registerStatus } from './commands/status.js';
import { registerUp } from './commands/up.js';
import { registerSim } from './commands/sim.js';
import { registerRoute } from './commands/route.js';
import { registerTail } from './commands/tail.js';
import { registerReg } from './commands/reg.js';
import { registerOriginate } from './commands/originate.js';
import { registerProvision } from './commands/provision.js';
import { registerExport } from './commands/export.js';
import { registerBench } from './commands/bench.js';

const program = new Command('fife').description('Fife: FreeSWITCH calls over AMQP').version('0.1.0');
// Usage errors exit 2 (see src/output): commander would exit 1, the code of a failed operation.
program.exitOverride();
registerUp(program);
registerStatus(program);
registerSim(program);
registerRoute(program);
registerBench(program);
registerTail(program);
registerReg(program);
registerOriginate(program);
registerProvision(program);
registerExport(program);
registerCallgroup(program);
registerCalendar(program);

program.parseAsync(process.argv).catch((err: Error) => {
  // commander has printed its own message (or the help) already.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  process.stderr.write(`fife: ${err.message}\n`);
  process.exit(1);
});
