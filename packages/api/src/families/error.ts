import { z } from 'zod';
import { defineMessage } from '../define.js';
import { text } from '../lenient.js';
import { targetedKey } from '../routing-key.js';
import { customChannelVars, sample } from './common.js';

/**
 * Kazoo's generic error reply (kz_api:publish_error, kazoo-wire §1.4 item 8): Event-Category `error`,
 * Event-Name = the operation that failed. Specific ones (dialplan, originate_resp) are declared with
 * their family; this declaration catches every other name.
 */
export const errorFields = {
  'Error-Message': text,
  Request: z.record(z.string(), z.unknown()).optional().describe('the offending request'),
  'Call-ID': z.string().optional(),
  'Custom-Channel-Vars': customChannelVars.optional(),
  Disposition: z.string().optional(),
  'Hangup-Cause': z.string().optional(),
  'Hangup-Code': z.string().optional(),
};

export const genericError = defineMessage({
  category: 'error',
  name: 'any',
  namePattern: /^\S+$/,
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: errorFields,
  summary: 'A request could not be served; Event-Name names the failed operation, Msg-ID is the request\'s.',
  sender: 'any responder',
  responder: 'the request sender',
  example: {
    ...sample.whapp,
    'Event-Name': 'calendar_status',
    'Msg-ID': 'e1',
    'Error-Message': 'no such calendar',
  },
});

export const error = { generic: genericError } as const;
