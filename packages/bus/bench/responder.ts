// The responding side of rpc.bench.ts, in its own process as in production (one whapp, one requester).
//   node --import tsx responder.ts raw|bus URL KEY
import amqp from 'amqplib';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { Bus, handler } from '../src/index.js';
import { ping, pong } from '../src/testing/messages.js';

const [mode, url, key] = process.argv.slice(2) as ['raw' | 'bus', string, string];

if (mode === 'raw') {
  const conn = await amqp.connect(url, { noDelay: true });
  const ch = await conn.createChannel();
  const queue = `bench.raw.${nanoid(6)}`;
  await ch.assertQueue(queue, { exclusive: true });
  await ch.bindQueue(queue, 'fife', key);
  await ch.prefetch(256);
  await ch.consume(queue, (m) => {
    if (!m) return;
    const req = JSON.parse(m.content.toString());
    ch.publish('targeted', req['Server-ID'], Buffer.from(JSON.stringify({ 'Msg-ID': req['Msg-ID'], Responder: 'raw' })), { contentType: 'application/json' });
    ch.ack(m);
  });
} else {
  const bus = new Bus({ url, identity: { appName: 'bench-responder', appVersion: '0', node: 'bench' }, logger: pino({ level: 'silent' }) });
  await bus.start();
  await bus.consume({
    queue: `bench.bus.${nanoid(6)}`,
    exclusive: true,
    prefetch: 256,
    bindings: [{ exchange: 'fife', key }],
    handlers: [handler(ping, (_m, ctx) => ctx.reply(pong, { Responder: 'bus' }))],
  });
}
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
