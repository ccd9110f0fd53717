// Baseline responder for the registrar benchmark: answers every message on its queue with a fixed
// reply on `targeted`/Server-ID, Msg-ID copied, with nothing else in between (no validation, no lookup).
import amqp from 'amqplib';

const [url, exchange, key] = process.argv.slice(2) as [string, string, string];
const connection = await amqp.connect(url, { noDelay: true });
const ch = await connection.createChannel();
const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
await ch.bindQueue(queue, exchange, key);
await ch.prefetch(64);
await ch.consume(queue, (m) => {
  if (!m) return;
  const req = JSON.parse(m.content.toString('utf8')) as Record<string, unknown>;
  const reply = { 'Event-Category': 'directory', 'Event-Name': 'authn_resp', 'App-Name': 'raw', 'App-Version': '0', 'Msg-ID': req['Msg-ID'], 'Auth-Method': 'a1-hash', 'Auth-Password': '0'.repeat(32) };
  ch.publish('targeted', String(req['Server-ID']), Buffer.from(JSON.stringify(reply)), { contentType: 'application/json' });
  ch.ack(m);
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
