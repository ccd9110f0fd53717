import { z } from 'zod';
import { defineMessage } from '../define.js';
import { bool, text } from '../lenient.js';
import { targetedKey } from '../routing-key.js';
import { callEventFields } from './call.js';
import { sample } from './common.js';
import { bridgeOptions, endpointObject } from './dialplan.js';
import { errorFields } from './error.js';

/** kapi_resource: originate on `callmgr` and its replies on `targeted` (kazoo-wire §6); offnet on `resources`. */

export const originateReq = defineMessage({
  category: 'resource',
  name: 'originate_req',
  // Not the `resources` exchange: Kazoo publishes originate on callmgr, with mandatory=true.
  exchange: 'callmgr',
  routingKey: () => 'originate.resource.req',
  bindingKeys: ['originate.resource.req'],
  fields: {
    ...bridgeOptions,
    Endpoints: z.array(endpointObject).min(1, 'needs at least one endpoint'),
    'Application-Name': z.enum(['park', 'bridge', 'transfer', 'fax', 'eavesdrop']),
    'Application-Data': z
      .unknown()
      .optional()
      .describe('transfer: {"Route": "<number>"}; bridge: an endpoint object; fax: document URL'),
    'Originate-Immediate': bool.optional().describe('default false for park (two-step handshake), true otherwise'),
    'Start-Control-Process': bool.optional().describe('default true'),
    'Outbound-Call-ID': z.string().optional(),
    'Existing-Call-ID': z.string().optional(),
    'Export-Custom-Channel-Vars': z.array(z.string()).optional(),
    'Fax-Identity-Name': z.string().optional(),
    'Fax-Identity-Number': z.string().optional(),
    'Fax-Timezone': z.string().optional(),
    'Eavesdrop-Call-ID': z.string().optional(),
    'Eavesdrop-Group-ID': z.string().optional(),
    'Eavesdrop-Mode': z.enum(['listen', 'whisper', 'full']).optional(),
    'Intercept-Unbridged-Only': bool.optional(),
    'Origination-Call-ID': z.string().optional(),
  },
  summary:
    'Place a call: dial the endpoints, then park, bridge, transfer (click-to-call), fax or eavesdrop. Publish with mandatory=true.',
  sender: 'integrators, fife originate, whapps',
  responder: 'ecallmgr (shared queue, one consumer per FreeSWITCH node)',
  replies: ['originate_uuid', 'originate_ready', 'originate_started', 'originate_resp', 'error/originate_resp'],
  example: {
    'App-Name': 'c2c',
    'App-Version': '1.0.0',
    Node: 'fife-cli@ops1.example.net',
    'Msg-ID': 'e7d6c5b4a3928170f6e5d4c3b2a19080',
    'Server-ID': 'fife-cli@ops1.example.net-reply-81c2',
    'Application-Name': 'transfer',
    'Application-Data': { Route: '+15557654321' },
    Endpoints: [{ 'Invite-Format': 'loopback', Route: '1001', 'To-DID': '1001', 'To-Realm': 'sip.example.com' }],
    'Start-Control-Process': 'false',
    'Dial-Endpoint-Method': 'single',
    'Continue-On-Fail': true,
    'Custom-Channel-Vars': { 'Account-ID': sample.accountId, 'Authorizing-Type': 'clicktocall' },
    'Export-Custom-Channel-Vars': ['Account-ID', 'Authorizing-Type'],
  },
});

const originateReply = { exchange: 'targeted' as const, routingKey: targetedKey, bindingKeys: [] as string[] };
const ecallmgrReply = { ...sample.ecallmgr, 'Msg-ID': 'e7d6c5b4a3928170f6e5d4c3b2a19080' };

export const originateUuid = defineMessage({
  category: 'resource',
  name: 'originate_uuid',
  ...originateReply,
  fields: { 'Outbound-Call-ID': text, 'Outbound-Call-Control-Queue': z.string().optional() },
  summary: 'The UUID chosen for the new leg (sent when a control process is started).',
  sender: 'ecallmgr',
  responder: 'originate_req sender',
  example: { ...ecallmgrReply, 'Outbound-Call-ID': 'c2c-1', 'Outbound-Call-Control-Queue': sample.controlQueue },
});

export const originateReady = defineMessage({
  category: 'dialplan',
  name: 'originate_ready',
  ...originateReply,
  fields: { 'Call-ID': text, 'Control-Queue': text },
  summary:
    "Ready to dial (without Originate-Immediate): answer with originate_execute to this message's Server-ID within 5 s.",
  sender: 'ecallmgr',
  responder: 'originate_req sender',
  replies: ['originate_execute'],
  example: { ...ecallmgrReply, 'Server-ID': 'ecallmgr@fs-a.example.net-originate-1', 'Call-ID': 'c2c-1', 'Control-Queue': sample.controlQueue },
});

export const originateExecute = defineMessage({
  category: 'dialplan',
  name: 'originate_execute',
  ...originateReply,
  fields: { 'Call-ID': text },
  summary: 'Go ahead and dial (second step of a non-immediate originate).',
  sender: 'originate_req sender',
  responder: 'ecallmgr',
  example: { ...sample.whapp, 'Msg-ID': 'e7d6c5b4a3928170f6e5d4c3b2a19080', 'Call-ID': 'c2c-1' },
});

export const originateStarted = defineMessage({
  category: 'resource',
  name: 'originate_started',
  ...originateReply,
  fields: { 'Call-ID': text, 'Control-Queue': z.string().optional() },
  summary: 'Dialing started and a control process exists: the requester now drives the call.',
  sender: 'ecallmgr',
  responder: 'originate_req sender',
  example: { ...ecallmgrReply, 'Call-ID': 'c2c-1', 'Control-Queue': sample.controlQueue },
});

export const originateResp = defineMessage({
  category: 'resource',
  name: 'originate_resp',
  ...originateReply,
  fields: { ...callEventFields, 'Call-ID': text },
  summary: 'Outcome of an originate without control process (after answer, a finished bridge, or CHANNEL_DESTROY).',
  sender: 'ecallmgr',
  responder: 'originate_req sender',
  example: { ...ecallmgrReply, 'Call-ID': 'c2c-1', 'Application-Response': 'SUCCESS', 'Channel-Call-State': 'ACTIVE' },
});

export const originateError = defineMessage({
  category: 'error',
  name: 'originate_resp',
  ...originateReply,
  fields: errorFields,
  summary: 'The originate failed (USER_BUSY, NO_ANSWER, lost connection to the FreeSWITCH node, ...).',
  sender: 'ecallmgr',
  responder: 'originate_req sender',
  example: { ...ecallmgrReply, 'Call-ID': 'c2c-1', 'Error-Message': 'USER_BUSY' },
});

export const offnetReq = defineMessage({
  category: 'resource',
  name: 'offnet_req',
  exchange: 'resources',
  routingKey: () => 'offnet.resource.req',
  bindingKeys: ['offnet.resource.req'],
  fields: {
    'Application-Name': text.describe('bridge, fax, park, transfer, eavesdrop, sms'),
    'Resource-Type': text.describe('audio, video, originate, sms'),
    'To-DID': text,
    'Account-ID': z.string().optional(),
    'Account-Realm': z.string().optional(),
    'Application-Data': z.unknown().optional(),
    'Call-ID': z.string().optional(),
    'Control-Queue': z.string().optional(),
    'Outbound-Call-ID': z.string().optional(),
    'Presence-ID': z.string().optional(),
    'Emergency-Caller-ID-Name': z.string().optional(),
    'Emergency-Caller-ID-Number': z.string().optional(),
    Flags: z.array(z.string()).optional(),
    'Hunt-Account-ID': z.string().optional(),
    'Force-Outbound': bool.optional(),
    'Format-From-URI': bool.optional(),
    Body: z.string().optional(),
    ...bridgeOptions,
  },
  summary: 'Dial a number through the carriers (Kazoo stepswitch); fields from Kazoo, not detailed by the reference.',
  sender: 'router, whapps',
  responder: 'stepswitch-like resource app',
  replies: ['offnet_resp'],
  example: {
    ...sample.whapp,
    'Msg-ID': 'o1',
    'Server-ID': sample.replyQueue,
    'Application-Name': 'bridge',
    'Resource-Type': 'audio',
    'To-DID': '+15557654321',
    'Call-ID': sample.callId,
    'Control-Queue': sample.controlQueue,
    'Account-ID': sample.accountId,
  },
});

export const resource = {
  originateReq,
  originateUuid,
  originateReady,
  originateExecute,
  originateStarted,
  originateResp,
  originateError,
  offnetReq,
} as const;
