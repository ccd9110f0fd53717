import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { resource } from '@fife/api';
import { handler, type Bus, type HandlerContext } from '@fife/bus';
import { CCV_PREFIX, prefixedVars } from '../domain/ccv.js';
import { dialString, legString, stepsOfEndpoints, type Endpoint } from '../domain/dial-string.js';
import { dialValue, isSafeSipUser, isSafeVarKey } from '../domain/escape.js';
import type { NodePool } from '../nodes/node-pool.js';
import type { CallControlManager } from './call-control.js';

export interface OriginateOptions {
  bus: Bus;
  pool: NodePool;
  control: CallControlManager;
  log: Logger;
  sipProfile: string;
}

type Req = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const CALL_ID = /^[A-Za-z0-9._@\-]{1,128}$/;
/** How long a two-step originate waits for originate_execute (Kazoo: 5 s). */
const EXECUTE_WAIT_MS = 5000;

/** The part after the dial string: what the answered leg does. */
export function originateApplication(req: Req, sipProfile: string, context: string): string | undefined {
  switch (req['Application-Name']) {
    case 'park':
      return '&park()';
    case 'bridge': {
      const data = req['Application-Data'];
      const leg = data && typeof data === 'object' ? legString(data as Endpoint, { sipProfile, context }) : undefined;
      return leg ? `&bridge(${leg})` : undefined;
    }
    case 'transfer': {
      const data = req['Application-Data'] as Record<string, unknown> | undefined;
      const dest = str(data?.Route);
      return dest && isSafeSipUser(dest) ? `${dest} XML ${context}` : undefined;
    }
    default:
      return undefined;
  }
}

/** `originate {vars}<legs> <application>` for an originate_req; undefined when nothing can be dialled. */
export function originateCommand(req: Req, callId: string, sipProfile: string): string | undefined {
  const context = str((req['Custom-Channel-Vars'] as Record<string, unknown> | undefined)?.Context);
  const ctx = { sipProfile, context: context && isSafeVarKey(context) ? context : 'default' };
  const endpoints = Array.isArray(req.Endpoints) ? (req.Endpoints as Endpoint[]) : [];
  const groups = req['Dial-Endpoint-Method'] === 'simultaneous' ? [endpoints] : stepsOfEndpoints(endpoints);
  const globals = new Map<string, string>([['origination_uuid', callId]]);
  const timeout = str(req.Timeout);
  if (timeout && /^\d{1,5}$/.test(timeout)) globals.set('originate_timeout', timeout);
  for (const [field, name] of [
    ['Outbound-Caller-ID-Name', 'origination_caller_id_name'],
    ['Outbound-Caller-ID-Number', 'origination_caller_id_number'],
    ['Outbound-Callee-ID-Name', 'origination_callee_id_name'],
    ['Outbound-Callee-ID-Number', 'origination_callee_id_number'],
  ] as const) {
    const value = str(req[field]);
    if (value) globals.set(name, dialValue(value));
  }
  for (const [name, value] of prefixedVars(CCV_PREFIX, req['Custom-Channel-Vars'] as Record<string, unknown> | undefined)) globals.set(name, dialValue(value));
  const dial = dialString(groups, ctx, globals);
  const app = originateApplication(req, sipProfile, ctx.context);
  return dial && app ? `originate ${dial} ${app}` : undefined;
}

/**
 * originate_req (`originate.resource.req` on callmgr), on a shared queue: each process that holds nodes
 * takes requests in turn. bgapi originate with our own Job-UUID; originate_uuid first, then
 * originate_started (controlled) or originate_resp, or the error with the FreeSWITCH cause.
 */
export async function startOriginate(opts: OriginateOptions): Promise<void> {
  if (opts.pool.nodes.length === 0) return;
  await opts.bus.consume({
    queue: 'fife.ecallmgr.originate',
    prefetch: 16,
    handlers: [handler(resource.originateReq, (msg, ctx) => originate(opts, msg as unknown as Req, ctx))],
  });
}

async function originate(opts: OriginateOptions, req: Req, ctx: HandlerContext): Promise<void> {
  const fail = (message: string, callId?: string) =>
    ctx.reply(resource.originateError, { 'Error-Message': message, 'Call-ID': callId, Request: req } as never);
  const node = opts.pool.nodes.find((n) => n.up);
  if (!node) return fail('no FreeSWITCH node available');
  const wanted = str(req['Outbound-Call-ID']);
  if (wanted && !CALL_ID.test(wanted)) return fail('Outbound-Call-ID has characters a call id cannot have');
  const callId = wanted ?? randomUUID();
  const command = originateCommand(req, callId, opts.sipProfile);
  if (!command) return fail('nothing to dial, or an unsupported Application-Name', callId);
  const controlled = req['Start-Control-Process'] !== false && req['Start-Control-Process'] !== 'false';
  if (controlled) opts.control.take(callId, node, callId, 'default');
  await ctx.reply(resource.originateUuid, {
    'Outbound-Call-ID': callId,
    ...(controlled ? { 'Outbound-Call-Control-Queue': opts.control.controlQueue } : {}),
  } as never);
  // Kazoo's two-step originate (default for park): originate_ready, then dial only on originate_execute.
  const immediate = req['Originate-Immediate'] === undefined ? req['Application-Name'] !== 'park' : req['Originate-Immediate'] === true || req['Originate-Immediate'] === 'true';
  if (!immediate) {
    const executed = opts.control.awaitExecute(callId, EXECUTE_WAIT_MS);
    await ctx.reply(resource.originateReady, { 'Call-ID': callId, 'Control-Queue': opts.control.controlQueue, 'Server-ID': opts.control.controlQueue } as never);
    if (!(await executed)) return fail('originate_execute did not arrive in time, originate abandoned', callId);
  }
  const timeoutS = Number(str(req.Timeout) ?? 60);
  const job = await node.client.bgapi(command, {
    timeoutMs: (Number.isFinite(timeoutS) ? timeoutS : 60) * 1000 + 15_000,
  }).catch((err: Error) => ({ ok: false, body: `-ERR ${err.message}` }));
  const body = job.body?.trim() ?? '';
  if (!job.ok || !body.startsWith('+OK')) {
    const cause = body.replace(/^-ERR\s*/, '') || 'FAIL';
    opts.log.info({ callId, cause }, 'originate failed');
    return fail(cause, callId);
  }
  // FreeSWITCH names the leg after origination_uuid; should it report another uuid, that one is the truth.
  const reported = /^\+OK\s+(\S+)/.exec(body)?.[1] ?? callId;
  if (reported !== callId) {
    opts.log.warn({ announced: callId, reported }, 'originate: FreeSWITCH used another uuid than origination_uuid');
    if (controlled) opts.control.take(reported, node, reported, 'default');
  }
  if (controlled) {
    await ctx.reply(resource.originateStarted, { 'Call-ID': reported, 'Control-Queue': opts.control.controlQueue } as never);
  } else {
    await ctx.reply(resource.originateResp, { 'Call-ID': reported, 'Application-Response': 'SUCCESS' } as never);
  }
}
