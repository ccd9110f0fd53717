import { z } from 'zod';
import { defineMessage, routingKey } from '@fife/api';

/** Messages that exist only for the bus's own tests (category `bus_test`, never on a real wire). */
export const ping = defineMessage({
  category: 'bus_test',
  name: 'ping',
  exchange: 'fife',
  routingKey: (m) => routingKey({ raw: 'bus_test.ping' }, m.Topic),
  bindingKeys: ['bus_test.ping.*'],
  fields: { Topic: z.string(), Seq: z.number().int().optional() },
  summary: 'test request',
  sender: 'test',
  example: { Topic: 't' },
});

export const pong = defineMessage({
  category: 'bus_test',
  name: 'pong',
  exchange: 'targeted',
  routingKey: () => '',
  bindingKeys: [],
  fields: { Responder: z.string(), Seq: z.number().int().optional() },
  summary: 'test reply',
  sender: 'test',
  example: { Responder: 'r' },
});
