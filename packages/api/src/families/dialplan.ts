import { z } from 'zod';
import { defineMessage } from '../define.js';
import { requireWhen, type RequiredWhen } from '../conditional.js';
import { bool, int, numericText, text } from '../lenient.js';
import { encodeSegment, targetedKey } from '../routing-key.js';
import { customApplicationVars, customChannelVars, customSipHeaders, mediaMode, sample } from './common.js';
import { errorFields } from './error.js';
import { inviteFormat } from './route.js';

/** kapi_dialplan: call-control commands on `callctl` and their errors (kazoo-wire §5.2, §5.3). */

/** FreeSWITCH takes `true`/`false` or a list of causes / a mode for these; keep what is not a boolean. */
const switchFlag = z.union([bool, z.string()]);

/** Endpoint of bridge and originate (kazoo-wire §5.2): only Invite-Format is required. */
export const endpointObject = z.looseObject({
  'Invite-Format': inviteFormat,
  'To-User': z.string().optional(),
  'To-Realm': z.string().optional(),
  'To-DID': z.string().optional(),
  'To-Username': z.string().optional(),
  'To-IP': z.string().optional().describe('dial this host directly instead of looking up a registration'),
  'To-URI': z.string().optional(),
  Route: z.string().optional(),
  'Proxy-IP': z.string().optional(),
  'Forward-IP': z.string().optional(),
  'SIP-Transport': z.string().optional(),
  'SIP-Interface': z.string().optional(),
  'Endpoint-Type': z.enum(['sip', 'freetdm', 'skype']).optional(),
  'Endpoint-Timeout': int.optional().describe('seconds → leg_timeout'),
  'Endpoint-Delay': int.optional().describe('seconds → leg_delay_start'),
  'Endpoint-Progress-Timeout': int.optional(),
  'Endpoint-Options': z.unknown().optional(),
  'Endpoint-Actions': z.unknown().optional(),
  'Endpoint-ID': z.string().optional(),
  'Caller-ID-Name': z.string().optional(),
  'Caller-ID-Number': z.string().optional(),
  'Callee-ID-Name': z.string().optional(),
  'Callee-ID-Number': z.string().optional(),
  'Outbound-Caller-ID-Name': z.string().optional(),
  'Outbound-Caller-ID-Number': z.string().optional(),
  'Outbound-Callee-ID-Name': z.string().optional(),
  'Outbound-Callee-ID-Number': z.string().optional(),
  'Outbound-Call-ID': z.string().optional().describe('→ origination_uuid'),
  'Presence-ID': z.string().optional(),
  Codecs: z.array(z.string()).optional(),
  'Bypass-Media': bool.optional(),
  'Ignore-Early-Media': switchFlag.optional(),
  'Ignore-Completed-Elsewhere': bool.optional(),
  'Hold-Media': z.string().optional(),
  'Auth-User': z.string().optional(),
  'Auth-Password': z.string().optional(),
  'Auth-Realm': z.string().optional(),
  get Failover() {
    return endpointObject.optional().describe('endpoint to dial if this one is not registered');
  },
  'Custom-Channel-Vars': customChannelVars.optional(),
  'Custom-SIP-Headers': customSipHeaders.optional(),
  'Custom-Application-Vars': customApplicationVars.optional(),
  'Force-Fax': bool.optional(),
  'Simplify-Loopback': bool.optional(),
  'Loopback-Bowout': bool.optional(),
});

/** Optional fields of the bridge command; originate_req accepts every one of them too (kazoo-wire §6). */
export const bridgeOptions = {
  'Dial-Endpoint-Method': z.enum(['single', 'simultaneous']).optional(),
  Timeout: int.optional().describe('seconds → call_timeout / originate_timeout'),
  'Continue-On-Fail': switchFlag.optional(),
  'Ignore-Early-Media': switchFlag.optional(),
  Ringback: z.string().optional(),
  'Hold-Media': z.string().optional(),
  Media: mediaMode.optional(),
  'Caller-ID-Name': z.string().optional(),
  'Caller-ID-Number': z.string().optional(),
  'Callee-ID-Name': z.string().optional(),
  'Callee-ID-Number': z.string().optional(),
  'Outbound-Caller-ID-Name': z.string().optional(),
  'Outbound-Caller-ID-Number': z.string().optional(),
  'Outbound-Callee-ID-Name': z.string().optional(),
  'Outbound-Callee-ID-Number': z.string().optional(),
  'Custom-Channel-Vars': customChannelVars.optional(),
  'Custom-SIP-Headers': customSipHeaders.optional(),
  'Custom-Application-Vars': customApplicationVars.optional(),
  'Fail-On-Single-Reject': z.unknown().optional(),
  'Ignore-Forward': switchFlag.optional(),
  'Ignore-Completed-Elsewhere': bool.optional(),
  'Confirm-Key': z.string().optional(),
  'Confirm-File': z.string().optional(),
  'Confirm-Cancel-Timeout': z.unknown().optional(),
  'Secure-RTP': bool.optional(),
  'SIP-Transport': z.enum(['udp', 'tcp', 'tls']).optional(),
  'SIP-Invite-Parameters': z.array(z.string()).optional(),
  'Export-Variables': z.array(z.string()).optional(),
  'Export-Bridge-Variables': z.array(z.string()).optional(),
  'B-Leg-Events': z.array(z.string()).optional(),
  'Force-Fax': bool.optional(),
  'Simplify-Loopback': bool.optional(),
  'Loopback-Bowout': bool.optional(),
  'Bridge-Actions': z.unknown().optional(),
};

export const toneObject = z.looseObject({
  Frequencies: z.array(int).min(1).describe('Hz'),
  'Duration-ON': int.describe('ms'),
  'Duration-OFF': int.describe('ms'),
  Volume: int.optional(),
  Repeat: int.optional(),
});

/** The optional fields of the main commands, by name; which ones an application requires is in `commandRequires`. */
const commandFields = {
  ...bridgeOptions,
  Endpoints: z.array(endpointObject).optional(),
  'Hangup-Cause': z.string().optional(),
  'Other-Leg-Only': bool.optional(),
  'Media-Name': z.string().optional(),
  'Failed-Media-Name': z.string().optional(),
  Terminators: z.array(z.string()).optional(),
  Leg: z.enum(['A', 'B', 'Both']).optional(),
  'Endless-Playback': bool.optional(),
  'Loop-Count': int.optional(),
  'Group-ID': z.string().optional(),
  Language: z.string().optional(),
  Voice: z.string().optional(),
  Engine: z.string().optional(),
  Format: z.string().optional(),
  Text: z.string().optional(),
  Tones: z.array(toneObject).optional(),
  'Minimum-Digits': int.optional(),
  'Maximum-Digits': int.optional(),
  'Media-Tries': int.optional(),
  'Digits-Regex': z.string().optional(),
  Type: z.string().optional(),
  Method: z.string().optional(),
  'Say-Text': z.string().optional(),
  Gender: z.string().optional(),
  Time: int.optional().describe('sleep: milliseconds'),
  'Response-Code': numericText.optional(),
  'Response-Message': z.string().optional(),
  'Custom-Call-Vars': z.record(z.string(), z.unknown()).optional(),
  'Time-Limit': int.optional(),
  'Silence-Threshold': int.optional(),
  'Silence-Hits': int.optional(),
  'Record-Action': z.enum(['start', 'stop', 'mask', 'unmask']).optional(),
  'Media-Transfer-Method': z.enum(['stream', 'put', 'post']).optional(),
  'Media-Transfer-Destination': z.string().optional(),
  'Additional-Headers': z.unknown().optional(),
  DTMFs: z.string().optional(),
  Duration: int.optional(),
  'Filter-Applications': z
    .array(z.union([z.string(), z.looseObject({ 'Application-Name': text, Fields: z.record(z.string(), z.unknown()).optional() })]))
    .optional()
    .describe(
      'noop with Insert-At now: queued commands at the head of the queue are dropped while they match (an application name, or a name and field values), up to the first that does not',
    ),
  'Transfer-Type': z.enum(['blind', 'attended']).optional(),
  'Transfer-To': z.string().optional().describe('extension or number, routed again in Transfer-Context'),
  'Transfer-Leg': z.enum(['bleg', 'both']).optional().describe('blind transfer: the other leg, or both legs, instead of this one'),
  'Transfer-Context': z.string().optional(),
  'Unhold-Key': z.string().optional().describe('soft_hold: the DTMF key that takes the call off hold'),
  'A-MOH': z.string().optional(),
  'B-MOH': z.string().optional(),
  'Page-Options': z.looseObject({ 'Two-Way-Audio': bool.optional() }).optional(),
  'Target-Call-ID': z.string().optional().describe('eavesdrop: the call to listen to (on the same media server)'),
  'Enable-DTMF': bool.optional(),
  'Other-Leg': z.string().optional(),
  'Continue-On-Cancel': bool.optional(),
  'Move-Channel-If-Necessary': bool.optional(),
  'Enable-T38-Fax': bool.optional(),
  'Enable-T38-Fax-Request': bool.optional(),
  'Enable-T38-Passthrough': bool.optional(),
  'Enable-T38-Gateway': z.enum(['self', 'peer']).optional(),
  'Fax-Local-Filename': z.string().optional(),
  'Suppress-Error-Report': bool.optional(),
  Action: z.enum(['hold', 'unhold', 'toggle']).optional(),
  'Conference-ID': z.string().optional(),
  Mute: bool.optional(),
  Deaf: bool.optional(),
  Moderator: bool.optional(),
  Profile: z.string().optional(),
  Extension: z.string().optional(),
  Reset: bool.optional(),
};

/** Required fields per Application-Name, as kazoo-wire §5.2 lists them. */
export const commandRequires: RequiredWhen = {
  field: 'Application-Name',
  required: {
    answer: [],
    progress: [],
    ring: [],
    hangup: [],
    park: [],
    play: ['Media-Name'],
    tts: ['Text'],
    tones: ['Tones'],
    play_and_collect_digits: [
      'Minimum-Digits', 'Maximum-Digits', 'Media-Name', 'Media-Tries', 'Digits-Regex', 'Timeout', 'Terminators',
    ],
    say: ['Language', 'Type', 'Method', 'Say-Text'],
    sleep: ['Time'],
    respond: ['Response-Code'],
    set: ['Custom-Channel-Vars', 'Custom-Call-Vars'],
    record: ['Media-Name'],
    record_call: ['Record-Action'],
    store: ['Media-Name', 'Media-Transfer-Method', 'Media-Transfer-Destination'],
    send_dtmf: ['DTMFs'],
    noop: [],
    bridge: ['Endpoints'],
    unbridge: [],
    hold: [],
    hold_control: ['Action'],
    soft_hold: ['Unhold-Key'],
    transfer: ['Transfer-Type', 'Transfer-To'],
    page: ['Endpoints'],
    eavesdrop: ['Target-Call-ID'],
    receive_fax: [],
    store_fax: ['Media-Transfer-Method', 'Media-Transfer-Destination'],
    conference: ['Conference-ID'],
    execute_extension: ['Extension'],
    queue: ['Commands'],
  },
};

export const insertAt = z.enum(['tail', 'head', 'now', 'flush']);

/** An element of a `queue` command's Commands: a command without envelope (it inherits the queue's). */
export const queuedCommand = requireWhen(
  z.looseObject({ 'Application-Name': text, 'Call-ID': z.string().optional(), ...commandFields }),
  commandRequires,
);

export const command = defineMessage({
  category: 'call',
  name: 'command',
  exchange: 'callctl',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    'Application-Name': text.describe('answer, play, bridge, queue, ...: see the conditional requirements'),
    'Call-ID': text,
    'Insert-At': insertAt.optional(),
    ...commandFields,
    Commands: z.array(queuedCommand).optional().describe('queue: commands run in order'),
  },
  requiredWhen: commandRequires,
  summary:
    "A call-control command, sent to the call's Control-Queue on callctl. Completion arrives as CHANNEL_EXECUTE_COMPLETE; failure as error/dialplan.",
  sender: 'whapps (route_win winner), integrators',
  responder: 'ecallmgr call control',
  example: {
    ...sample.whapp,
    'Msg-ID': 'c41e9b27a05d4f3e8b6a1c2d3e4f5a6b',
    'Server-ID': sample.replyQueue,
    'Application-Name': 'bridge',
    'Call-ID': sample.callId,
    'Insert-At': 'tail',
    'Dial-Endpoint-Method': 'simultaneous',
    Timeout: '30',
    Endpoints: [
      { 'Invite-Format': 'username', 'To-User': '1002', 'To-Realm': 'sip.example.com', 'Endpoint-Timeout': 30 },
      { 'Invite-Format': 'route', Route: 'sip:+15557654321@gw.example.net', 'Endpoint-Delay': '5' },
    ],
  },
});

export const dialplanError = defineMessage({
  category: 'error',
  name: 'dialplan',
  exchange: 'callevt',
  routingKey: (msg) => `call.dialplan.${encodeSegment(msg['Call-ID'])}`,
  bindingKeys: ['call.dialplan.*'],
  fields: { ...errorFields, 'Call-ID': text },
  summary: "A command could not run; Request is the command and Msg-ID the command's. Not sent for hangup.",
  sender: 'ecallmgr call control',
  responder: 'the command sender (bound to call.*.<call-id>)',
  example: {
    ...sample.ecallmgr,
    'Msg-ID': 'c41e9b27a05d4f3e8b6a1c2d3e4f5a6b',
    'Call-ID': sample.callId,
    'Error-Message': 'Could not execute dialplan action: play',
    Request: { 'Application-Name': 'play', 'Call-ID': sample.callId, 'Media-Name': 'missing.wav' },
  },
});

export const dialplan = { command, error: dialplanError } as const;
