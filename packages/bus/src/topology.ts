import type { Channel } from 'amqplib';
import { exchangeOptions, exchanges } from '@fife/api';

/** Where messages that cannot be handled go, with the reason in headers: nothing is silently lost. */
export const DEAD_LETTER_EXCHANGE = 'fife.dead-letters';
export const DEAD_LETTER_QUEUE = 'fife.dead-letters';

export async function declareTopology(ch: Channel): Promise<void> {
  for (const [name, { type }] of Object.entries(exchanges)) {
    await ch.assertExchange(name, type, exchangeOptions);
  }
  await ch.assertExchange(DEAD_LETTER_EXCHANGE, 'fanout', { durable: true });
  // Bounded so that a flood of garbage cannot fill the broker's disk; oldest dropped first.
  await ch.assertQueue(DEAD_LETTER_QUEUE, { durable: true, arguments: { 'x-max-length': 100_000 } });
  await ch.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '');
}
