import { z } from 'zod';
import { defineMessage } from '../define.js';
import { routingKey, targetedKey } from '../routing-key.js';

/**
 * Fife's own process discovery: every whapp and ecallmgr process answers `system.ping.<app>` (or
 * `system.ping.*` for everyone), so `fife status` can collect who is running where.
 */
export const pingReq = defineMessage({
  category: 'system',
  name: 'ping_req',
  exchange: 'fife',
  routingKey: (m) => routingKey({ raw: 'system.ping' }, m.App ?? '*'),
  bindingKeys: ['system.ping.*'],
  fields: {
    App: z.string().optional().describe('only processes of this app answer; absent = every process'),
  },
  summary: 'Asks every running Fife process (or those of one app) to say who and how it is.',
  sender: 'fife CLI, integrators',
  responder: 'every Fife process',
  replies: ['ping_resp'],
  example: { 'App-Name': 'fife-cli', 'App-Version': '0.1.0', 'Msg-ID': 'b1c2d3e4', 'Server-ID': 'fife-cli@ops1-4242-a1b2c3d4' },
});

export const pingResp = defineMessage({
  category: 'system',
  name: 'ping_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    'Uptime-Seconds': z.number().nonnegative(),
    Ready: z.boolean(),
    Checks: z.record(z.string(), z.boolean()).optional().describe('readiness of each dependency'),
    PID: z.number().int().optional(),
    Hostname: z.string().optional(),
    'Metrics-URL': z.string().optional(),
  },
  summary: 'One process answering ping_req.',
  sender: 'every Fife process',
  example: {
    'App-Name': 'registrar',
    'App-Version': '0.1.0',
    Node: 'registrar@apps1.example.net',
    'Msg-ID': 'b1c2d3e4',
    'Uptime-Seconds': 3600,
    Ready: true,
    Checks: { bus: true, store: true },
    PID: 4242,
    Hostname: 'apps1.example.net',
    'Metrics-URL': 'http://127.0.0.1:9101/metrics',
  },
});

export const system = { pingReq, pingResp } as const;
