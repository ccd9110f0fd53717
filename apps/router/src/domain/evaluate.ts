import { z } from 'zod';
import { externalCallerId, formatCallerId, type Caller } from './caller-id.js';
import { callerIdSchema, type CallerId, type RoutingAccount } from './documents.js';
import { matchCallflow } from './callflow-match.js';
import type { CallflowRecord, FlowNode, RouterLookups } from './lookups.js';
import type { ModuleContext } from './module.js';
import { flowModules } from './modules/index.js';
import { numberForms, type NumberForms } from './numbers.js';
import { offnetSteps } from './offnet.js';
import { decisionOf, type Decision, type HangupCause, type Terminal } from './plan.js';

/** A route request, as the evaluator needs it (from route_req or a dry run). */
export interface CallInput {
  accountId: string;
  /** The dialed number (Request user part). */
  dialed: string;
  at: Date;
  callId?: string;
  caller: {
    deviceId?: string;
    ownerId?: string;
    /** SIP user and realm of the caller (From), used when no device id came with the request. */
    username?: string;
    realm?: string;
    name?: string;
    number?: string;
  };
}

export interface Evaluation {
  /** undefined: the number has no callflow in this account, so the request is not ours. */
  decision?: Decision;
  callflowId?: string;
  reasons: string[];
}

export interface EvaluateOptions {
  /** How many callflows one call may pass through (transfers, forwards) before it is a loop. */
  maxHops?: number;
  /** How many flow nodes one evaluation may run, whatever the shape of the flows. */
  maxNodes?: number;
}

const flowNodeSchema = z.looseObject({
  module: z.string().min(1),
  data: z.record(z.string(), z.unknown()).default({}),
  children: z.record(z.string(), z.unknown()).default({}),
});

interface Scope {
  /** Callflow ids on the way here, to tell a loop from a legitimate second visit elsewhere. */
  path: string[];
  labels: string[];
  number: NumberForms;
  masquerade?: CallerId;
}

class FlowRun {
  readonly reasons: string[] = [];
  private nodes = 0;
  constructor(
    private readonly input: CallInput,
    private readonly account: RoutingAccount,
    private readonly caller: Caller,
    private readonly lookups: RouterLookups,
    private readonly options: Required<EvaluateOptions>,
  ) {}

  reason(text: string): void {
    this.reasons.push(text);
  }

  async findCallflow(forms: NumberForms): Promise<{ callflow: CallflowRecord; how: string } | undefined> {
    const callflows = await this.lookups.callflows(this.input.accountId, forms.candidates);
    const match = matchCallflow(forms, callflows);
    if (!match) return undefined;
    const name = match.callflow.name ? ` "${match.callflow.name}"` : '';
    const how = match.by === 'number' ? `number ${match.matched}` : `pattern ${match.pattern} (as ${match.matched})`;
    return { callflow: match.callflow, how: `callflow ${match.callflow.id}${name} by ${how}` };
  }

  fail(cause: HangupCause, message: string): Terminal {
    this.reason(`→ ${cause}: ${message}`);
    return { kind: 'fail', cause, message };
  }

  async enterCallflow(callflow: CallflowRecord, how: string, scope: Scope): Promise<Terminal> {
    const label = scope.number.dialed;
    if (scope.path.includes(callflow.id)) {
      const loop = [...scope.labels, label].join(' → ');
      return this.fail('EXCHANGE_ROUTING_ERROR', `loop: ${loop} comes back to callflow ${callflow.id}`);
    }
    if (scope.path.length >= this.options.maxHops) {
      return this.fail('EXCHANGE_ROUTING_ERROR', `more than ${this.options.maxHops} transfers/forwards: ${[...scope.labels, label].join(' → ')}`);
    }
    this.reason(`${label}: ${how}`);
    return this.runNode(callflow.flow, { ...scope, path: [...scope.path, callflow.id], labels: [...scope.labels, label] }, 'flow');
  }

  async runNode(raw: unknown, scope: Scope, where: string): Promise<Terminal> {
    if (++this.nodes > this.options.maxNodes) return this.fail('EXCHANGE_ROUTING_ERROR', `flow too large: more than ${this.options.maxNodes} nodes evaluated`);
    const parsedNode = flowNodeSchema.safeParse(raw);
    if (!parsedNode.success) return this.fail('NORMAL_TEMPORARY_FAILURE', `invalid flow node at ${where}: ${issueText(parsedNode.error)}`);
    const node: FlowNode = parsedNode.data;
    const module = flowModules.get(node.module);
    if (!module) return this.fail('NORMAL_TEMPORARY_FAILURE', `unknown module "${node.module}" at ${where}`);
    const data = module.data.safeParse(node.data);
    if (!data.success) return this.fail('NORMAL_TEMPORARY_FAILURE', `${node.module} at ${where}: data.${issueText(data.error)}`);
    const masquerade = this.masqueradeOf(node, scope);
    return module.run(this.context(data.data, node, { ...scope, ...(masquerade ? { masquerade } : {}) }, where));
  }

  private masqueradeOf(node: FlowNode, scope: Scope): CallerId | undefined {
    const parsed = callerIdSchema.safeParse(node.data.caller_id);
    if (!parsed.success || (!parsed.data.name && !parsed.data.number)) return scope.masquerade;
    this.reason(`caller-id masqueraded as ${formatCallerId(parsed.data)} (${node.module})`);
    return { ...scope.masquerade, ...parsed.data };
  }

  private context<D>(data: D, node: FlowNode, scope: Scope, where: string): ModuleContext<D> {
    return {
      data,
      node,
      account: this.account,
      accountId: this.input.accountId,
      caller: this.caller,
      number: scope.number,
      at: this.input.at,
      ...(this.input.callId ? { callId: this.input.callId } : {}),
      lookups: this.lookups,
      ...(scope.masquerade ? { masquerade: scope.masquerade } : {}),
      reason: (text) => this.reason(text),
      fail: (cause, message) => this.fail(cause, message),
      branch: async (...keys) => {
        for (const key of keys) {
          if (node.children[key] !== undefined) return this.runNode(node.children[key], scope, `${where}.${key}`);
        }
        return undefined;
      },
      routeNumber: (number, why) => this.routeNumber(number, why, scope),
      offnet: (forms) => this.offnet(forms, scope),
    };
  }

  async routeNumber(number: string, why: string, scope: Scope): Promise<Terminal> {
    const forms = numberForms(number, this.account.numbering);
    this.reason(`${why} → ${forms.dialed}`);
    const found = await this.findCallflow(forms);
    const next: Scope = { ...scope, number: forms };
    if (found) return this.enterCallflow(found.callflow, found.how, next);
    const external = forms.e164 !== undefined || forms.dialed.length > (this.account.numbering?.short_max_length ?? 6);
    if (!external) return this.fail('UNALLOCATED_NUMBER', `no callflow for ${forms.dialed} in this account`);
    this.reason(`${forms.dialed} has no callflow here: outside number, through the account's carriers`);
    return this.offnet(forms, next);
  }

  async offnet(forms: NumberForms, scope: Scope): Promise<Terminal> {
    const callerId = externalCallerId(this.caller, this.account, scope.masquerade);
    const steps = offnetSteps(await this.lookups.resources(this.input.accountId), forms, callerId, this.input.accountId);
    if (steps.length === 0) return this.fail('NO_ROUTE_DESTINATION', `no carrier resource matches ${forms.e164 ?? forms.dialed}`);
    this.reason(`offnet ${forms.e164 ?? forms.dialed} as ${formatCallerId(callerId)}: ${steps.map((s) => s[0]!.label).join(', then ')}`);
    return { kind: 'ring', steps };
  }
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

async function resolveCaller(input: CallInput, account: RoutingAccount, lookups: RouterLookups, reasons: string[]): Promise<Caller> {
  const presented: CallerId = {
    ...(input.caller.name ? { name: input.caller.name } : {}),
    ...(input.caller.number ? { number: input.caller.number } : {}),
  };
  let device = input.caller.deviceId ? await lookups.device(input.accountId, input.caller.deviceId) : undefined;
  const sameRealm = input.caller.realm?.toLowerCase() === account.realm.toLowerCase();
  if (!device && input.caller.username && sameRealm) device = await lookups.deviceBySipUsername(input.accountId, input.caller.username);
  const ownerId = device?.owner_id ?? input.caller.ownerId;
  const user = ownerId ? await lookups.user(input.accountId, ownerId) : undefined;
  reasons.push(
    device
      ? `caller: device ${device.sip.username}${user ? ` of ${[user.first_name, user.last_name].filter(Boolean).join(' ') || user._id}` : ''}`
      : `caller: not a device of this account (${input.caller.username ?? '?'}@${input.caller.realm ?? '?'})`,
  );
  return { ...(device ? { device } : {}), ...(user ? { user } : {}), presented };
}

/**
 * Routes one call: finds the account's callflow for the dialed number (exact numbers first, then
 * patterns by specificity) and evaluates its flow. Every decision is recorded in `reasons`.
 */
export async function evaluateCall(input: CallInput, lookups: RouterLookups, options: EvaluateOptions = {}): Promise<Evaluation> {
  const reasons: string[] = [];
  const account = await lookups.account(input.accountId);
  if (!account) return { reasons: [`account ${input.accountId} does not exist`] };
  if (!account.enabled) return { reasons: [`account ${input.accountId} is disabled`] };
  const forms = numberForms(input.dialed, account.numbering);
  const caller = await resolveCaller(input, account, lookups, reasons);
  const run = new FlowRun(input, account, caller, lookups, { maxHops: options.maxHops ?? 10, maxNodes: options.maxNodes ?? 200 });
  run.reasons.push(...reasons);
  const found = await run.findCallflow(forms);
  if (!found) {
    run.reason(`no callflow for ${forms.dialed} in account ${input.accountId} (tried ${forms.candidates.join(', ')})`);
    return { reasons: run.reasons };
  }
  const terminal = await run.enterCallflow(found.callflow, found.how, { path: [], labels: [], number: forms });
  const decision = decisionOf(terminal);
  run.reason(summary(decision));
  return { decision, callflowId: found.callflow.id, reasons: run.reasons };
}

function summary(decision: Decision): string {
  if (decision.method === 'bridge') {
    return `result: bridge, ${decision.steps.map((s, i) => `step ${i + 1}: ${s.map((l) => l.label + timing(l.delayS, l.timeoutS)).join(' + ')}`).join('; ')}`;
  }
  if (decision.method === 'park') return `result: park for call control (${decision.why}): ${decision.actions.map((a) => a.app).join(', ')}`;
  return `result: error ${decision.code} ${decision.cause} (${decision.message})`;
}

function timing(delayS?: number, timeoutS?: number): string {
  const parts = [delayS ? `from ${delayS} s` : '', timeoutS ? `for ${timeoutS} s` : ''].filter(Boolean);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

