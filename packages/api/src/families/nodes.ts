import { z } from 'zod';
import { defineMessage } from '../define.js';
import { count, int, text } from '../lenient.js';
import { routingKey } from '../routing-key.js';

/**
 * Fife's own node messages, on the `fife` topic exchange with Kazoo-style headers. Deliberately not
 * Kazoo's `nodes` fanout: Kazoo's kz_nodes records every `nodes`/`advertise` it hears as a Kazoo node,
 * and Fife processes are not that.
 */

export const nodeHeartbeat = defineMessage({
  category: 'node',
  name: 'heartbeat',
  exchange: 'fife',
  routingKey: (msg) => routingKey({ raw: 'node.heartbeat' }, msg.Node),
  bindingKeys: ['node.heartbeat.*'],
  fields: {
    Node: text.describe('name@host of the sending process'),
    Expires: count.describe('milliseconds after which a missing heartbeat means the node is gone'),
    Roles: z.array(z.string()).optional().describe('what the process runs: ecallmgr, registrar, router, ...'),
    'Started-At': int.optional().describe('Unix seconds'),
    Zone: z.string().optional(),
    'Media-Servers': z
      .array(z.looseObject({ Name: text, Status: z.enum(['up', 'down']) }))
      .optional()
      .describe('ecallmgr: the FreeSWITCH nodes it holds an ESL connection to'),
  },
  summary: 'A Fife process is alive (sent periodically); the catalog of who runs what.',
  sender: 'every Fife process',
  responder: 'fife CLI, monitoring',
  example: {
    'App-Name': 'ecallmgr',
    'App-Version': '1.0.0',
    Node: 'ecallmgr@fs-a.example.net',
    'Msg-ID': 'h1',
    Expires: '15000',
    Roles: ['ecallmgr'],
    'Media-Servers': [{ Name: 'freeswitch@fs-a.example.net', Status: 'up' }],
  },
});

export const mediaServerStatus = defineMessage({
  category: 'node',
  name: 'media_server',
  exchange: 'fife',
  routingKey: (msg) => routingKey({ raw: 'node.media_server' }, msg.Status, msg['Media-Server']),
  bindingKeys: ['node.media_server.*.*'],
  fields: {
    'Media-Server': text.describe('FreeSWITCH node name, e.g. freeswitch@fs-a.example.net'),
    Status: z.enum(['up', 'down']),
    Reason: z.string().optional(),
    'Switch-URL': z.string().optional(),
    'Switch-Hostname': z.string().optional(),
  },
  summary: 'ecallmgr gained or lost its event-socket connection to a FreeSWITCH node.',
  sender: 'ecallmgr',
  responder: 'whapps tracking calls on that node, monitoring',
  example: {
    'App-Name': 'ecallmgr',
    'App-Version': '1.0.0',
    Node: 'ecallmgr@fs-a.example.net',
    'Msg-ID': 'm1',
    'Media-Server': 'freeswitch@fs-a.example.net',
    Status: 'down',
    Reason: 'connection refused',
  },
});

export const nodes = { heartbeat: nodeHeartbeat, mediaServer: mediaServerStatus } as const;
