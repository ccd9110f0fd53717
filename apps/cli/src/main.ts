import { Command } from 'commander';
import { registerCalendar } from './commands/calendar.js';
import { registerCallgroup } from './commands/callgroup.js';
import { registerStatus } from './commands/status.js';
import { registerUp } from './commands/up.js';

const program = new Command('fife').description('Fife: FreeSWITCH calls over AMQP').version('0.1.0');
registerUp(program);
registerStatus(program);
registerCallgroup(program);
registerCalendar(program);

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`fife: ${err.message}\n`);
  process.exit(1);
});
