// The far side of the bare AMQP round trip the load run compares against: a process of its own that
// answers every request on its queue at once, as a whapp with no work to do would.
//   node --import tsx baseline-responder.ts AMQP_URL EXCHANGE KEY
import amqp from 'amqplib';

const [url, exchange, key] = process.argv.slice(2);
if (!url || !exchange || !key) {
  process.stderr.write('usage: baseline-responder.ts AMQP_URL EXCHANGE KEY\n');
  process.exit(2);
}
const connection = await amqp.connect(url, { noDelay: true });
const channel = await connection.createChannel();
await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
const { queue } = await channel.assertQueue('', { exclusive: true });
await channel.bindQueue(queue, exchange, key);
await channel.prefetch(256);
await channel.consume(queue, (m) => {
  if (!m) return;
  const request = JSON.parse(m.content.toString('utf8')) as Record<string, unknown>;
  const reply = { 'Msg-ID': request['Msg-ID'], 'Event-Category': 'bench', 'Event-Name': 'echo_resp' };
  channel.publish(exchange, String(request['Server-ID']), Buffer.from(JSON.stringify(reply)), { contentType: 'application/json' });
  channel.ack(m);
});
process.stdout.write('ready\n');
const stop = () => void connection.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
