import { z } from 'zod';
import { defineMessage } from '../define.js';
import { bool, count, text } from '../lenient.js';
import { routingKey, targetedKey } from '../routing-key.js';
import { sample } from './common.js';

/**
 * Fife's call-group planner (apps/callgroup): who rings, when, for a call to a group, a MULTIRING
 * user or a forwarded extension (../shared/reference/callgroup-semantics.md). Headers are Kazoo-style;
 * the objects inside keep the scenario FORMAT's snake_case keys, so a plan_resp reads like a
 * scenario's `expected` (shared/fixtures/callgroup/FORMAT.md).
 */

/** Device state at plan time (the scenario FORMAT's `stage2`); absent keys take the FORMAT defaults. */
export const callgroupStage2Object = z.looseObject({
  registrations: z.record(z.string(), z.array(z.string())).optional().describe('device ids per user; [] = not registered'),
  busy: z.record(z.string(), z.number().int().nonnegative()).optional().describe('calls each user already has'),
  call_waiting: z.record(z.string(), z.boolean()).optional().describe('false: a user in a call is busy'),
  static: z.record(z.string(), z.string()).optional().describe('numbers that are static targets (conference, script, ...)'),
});

export const callgroupLegObject = z.looseObject({
  extension: z.string().describe('stage-2 number dialled (a trunk leg: the full dialled number)'),
  device: z.string().nullable().describe('registration id; null for external and static legs'),
  kind: z.enum(['device', 'external', 'static']),
  start_after_s: z.number().nonnegative(),
  stop_after_s: z.number().nullable().describe('null: rings until answered or the caller gives up'),
  via_path: z.array(z.string()).describe('extensions from the called one down to this leg'),
});

export const callgroupSkippedObject = z.looseObject({
  extension: z.string(),
  via_path: z.array(z.string()),
  at_s: z.number().nonnegative(),
  reason: z.enum(['busy', 'offline', 'duplicate', 'unrouted']),
});

export const callgroupCallerIdObject = z.looseObject({
  number: z.string().nullable(),
  name: z.string().nullable(),
  lang: z.string().nullable(),
  dialout_allowed: z.boolean(),
});

/** How FreeSWITCH realises the plan (reference §2): one dial string, enterprise parts, park + call control, or a reject. */
export const callgroupRenderingObject = z.looseObject({
  kind: z.enum(['bridge', 'enterprise', 'park', 'reject']),
  dial_string: z.string().optional().describe('bridge / enterprise: the whole `bridge` argument'),
  variables: z.record(z.string(), z.string()).optional().describe('call-wide variables already inside dial_string'),
  cause: z.string().optional().describe('reject: the hangup cause (USER_BUSY, USER_NOT_REGISTERED, ...)'),
  reason: z.string().optional().describe('park: why one dial string cannot express the plan'),
  actions: z
    .array(
      z.looseObject({
        at_s: z.number().nonnegative(),
        action: z.enum(['originate', 'hangup']),
        target: z.string(),
        extension: z.string(),
        device: z.string().nullable(),
      }),
    )
    .optional()
    .describe('park: what call control does, second by second'),
  ends_after_s: z.number().nullable().optional(),
});

export const callgroupTreeNodeObject = z.looseObject({
  path: z.array(z.string()),
  number: z.string(),
  type: z.string(),
  log: z.array(z.looseObject({ code: z.string(), message: z.string(), at_s: z.number().optional() })),
});

export const callgroupPlanReq = defineMessage({
  category: 'callgroup',
  name: 'plan_req',
  exchange: 'fife',
  routingKey: (m) => routingKey({ raw: 'callgroup.plan' }, m['Account-ID']),
  bindingKeys: ['callgroup.plan.*'],
  fields: {
    'Account-ID': text.describe('the account whose call-group extensions route the call'),
    'Called-Number': text.describe('the dialled number (an extension, or a number under a TRUNK prefix)'),
    'Caller-ID-Number': z.string().optional().describe('the calling number; unknown numbers are external callers'),
    'Caller-ID-Name': z.string().optional().describe('informational: the presented name comes from the caller extension'),
    'Caller-Extension': z
      .string()
      .optional()
      .describe('the caller extension when the sender authenticated it; wins over Caller-ID-Number'),
    'Authorizing-ID': z.string().optional().describe('the calling device, when known (logged)'),
    'Call-ID': z.string().optional().describe('becomes X-Eventphone-Id on every leg'),
    Explain: bool.optional().describe('also return the discovery tree with every decision (why did a phone not ring?)'),
    Stage2: callgroupStage2Object.optional().describe('dry run: use this device state instead of asking registrar and ecallmgr'),
    'Stage2-Timeout-Ms': count
      .optional()
      .describe('upper bound for the registration and channel lookups (the service caps it at its own setting)'),
  },
  summary: 'Plan the ringing of a call to a call-group extension: ring plan, FreeSWITCH rendering and (Explain) the tree.',
  sender: 'router, integrators, fife callgroup ask',
  responder: 'callgroup',
  replies: ['plan_resp', 'error/callgroup_plan'],
  example: {
    ...sample.whapp,
    'Msg-ID': 'cg1',
    'Server-ID': sample.replyQueue,
    'Account-ID': sample.accountId,
    'Called-Number': '2000',
    'Caller-ID-Number': '1000',
    'Caller-ID-Name': 'Alice',
    'Call-ID': sample.callId,
    Explain: true,
  },
});

export const callgroupPlanResp = defineMessage({
  category: 'callgroup',
  name: 'plan_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    'Account-ID': text,
    'Called-Number': text,
    'Call-ID': z.string().optional(),
    Status: z.enum(['ringing', 'busy', 'offline', 'noroute', 'error']).describe('as the scenario FORMAT defines it'),
    'Ring-Plan': z.array(callgroupLegObject).describe('every leg that rings if nobody answers'),
    'Ends-After-S': z.number().nonnegative().optional().describe('when the attempt fails by itself; absent = never'),
    Skipped: z.array(callgroupSkippedObject).describe('legs that were due but could not start'),
    Ringback: z.string().optional().describe('custom ringback of the called extension'),
    'Caller-ID': callgroupCallerIdObject.describe('presentation of the caller on the legs'),
    'Called-Name': z.string().optional(),
    Rendering: callgroupRenderingObject,
    Stage2: callgroupStage2Object
      .extend({ notes: z.array(z.string()).optional().describe('where the state came from, and what was assumed') })
      .optional(),
    'Routing-Error': z.string().optional().describe('status error: what is wrong in the configuration'),
    Warnings: z.array(z.string()).optional().describe('stored documents that were skipped, with the field at fault'),
    Tree: z.array(callgroupTreeNodeObject).optional().describe('with Explain: every node depth-first, with its decisions'),
  },
  summary: 'The ring plan of a call to a call-group extension, how FreeSWITCH runs it, and why.',
  sender: 'callgroup',
  responder: 'plan_req sender',
  example: {
    'App-Name': 'callgroup',
    'App-Version': '0.1.0',
    Node: 'callgroup@apps1.example.net',
    'Msg-ID': 'cg1',
    'Account-ID': sample.accountId,
    'Called-Number': '2000',
    'Call-ID': sample.callId,
    Status: 'ringing',
    'Ring-Plan': [
      { extension: '1001', device: '1001', kind: 'device', start_after_s: 0, stop_after_s: 10, via_path: ['2000', '1001'] },
      { extension: '1002', device: '1002', kind: 'device', start_after_s: 10, stop_after_s: null, via_path: ['2000', '1002'] },
    ],
    Skipped: [],
    'Caller-ID': { number: '1000', name: 'Alice', lang: 'de_DE', dialout_allowed: false },
    'Called-Name': 'Helpdesk',
    Rendering: {
      kind: 'bridge',
      dial_string:
        '{ignore_early_media=true,originate_timeout=600}[leg_timeout=10]sofia/internal/sip:1001@192.0.2.11:5060,[leg_delay_start=10]sofia/internal/sip:1002@192.0.2.12:5060',
      variables: { ignore_early_media: 'true', originate_timeout: '600' },
    },
    Stage2: { registrations: { '1001': ['1001'], '1002': ['1002'] }, busy: {}, notes: ['busy: no ecallmgr answered within 100 ms, assumed idle'] },
    Tree: [
      { path: ['2000'], number: '2000', type: 'GROUP', log: [{ code: 'rank.loaded', message: 'rank 0: 1 member' }] },
      { path: ['2000', '1001'], number: '1001', type: 'SIMPLE', log: [] },
    ],
  },
});

export const callgroup = { planReq: callgroupPlanReq, planResp: callgroupPlanResp } as const;
