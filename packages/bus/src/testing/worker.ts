// A bus consumer in its own process, for the competing-consumers test: prints each handled Seq.
import pino from 'pino';
import { Bus, handler } from '../index.js';
import { ping } from './messages.js';

const [url, queue, name] = process.argv.slice(2) as [string, string, string];
const bus = new Bus({ url, identity: { appName: 'worker', appVersion: '0', node: name }, logger: pino({ level: 'silent' }) });
await bus.start();
await bus.consume({
  queue,
  prefetch: 5,
  bindings: [], // the test publishes straight to the queue; a wildcard binding would outlive the test
  handlers: [
    handler(ping, async (msg) => {
      process.stdout.write(`${msg.Seq}\n`);
    }),
  ],
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => void bus.drain(2000).then(() => process.exit(0)));
