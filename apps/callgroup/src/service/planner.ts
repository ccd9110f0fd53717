import type { Logger } from 'pino';
import type { callgroup, MessageOf } from '@fife/api';
import type { Bus, ReplyFields } from '@fife/bus';
import {
  discoverTree,
  flattenTree,
  parseOrThrow,
  planCall,
  renderCall,
  resolveCalled,
  Stage2Schema,
  type NodeLogEntry,
  type Stage2State,
} from '../domain/index.js';
import type { CallgroupConfig } from '../config.js';
import { lookupStage2, type Contact } from './stage2-lookup.js';
import { targetResolver } from './targets.js';
import type { AccountTopology, TopologyCache } from './topology-cache.js';
import { renderingToWire, stage2UserOf, treeToWire } from './wire.js';

export type PlanRequest = MessageOf<typeof callgroup.planReq>;
export type PlanReply = ReplyFields<typeof callgroup.planResp>;

interface Stage2Input {
  state: Stage2State;
  contacts: ReadonlyMap<string, Contact>;
  notes: ReadonlyMap<string, NodeLogEntry[]>;
  summary: string[];
}

/**
 * One plan_req end to end: the account's topology (cached), the stage-2 state of the users the call
 * can reach (AMQP, bounded), the domain's plan and FreeSWITCH rendering, shaped as plan_resp.
 */
export class Planner {
  constructor(
    private readonly bus: Bus,
    private readonly config: CallgroupConfig,
    private readonly topologies: TopologyCache,
    /** told about every plan made (metrics) */
    private readonly observe: (reply: PlanReply) => void = () => undefined,
  ) {}

  async plan(req: PlanRequest, log: Logger): Promise<PlanReply> {
    const account = await this.topologies.get(req['Account-ID']);
    const caller = req['Caller-Extension'] ?? req['Caller-ID-Number'] ?? '';
    const called = req['Called-Number'];
    const stage2 = req.Stage2 ? this.givenStage2(req.Stage2, account) : await this.askStage2(account, caller, called, req, log);
    const input = { topology: account.topology, caller, called, stage2: stage2.state };
    const call = planCall(input);
    const rendering = renderCall(input, {
      resolveTarget: targetResolver({
        sipProfile: this.config.CALLGROUP_SIP_PROFILE,
        realm: account.realm,
        externalTarget: this.config.CALLGROUP_EXTERNAL_TARGET,
        contacts: stage2.contacts,
        staticTargets: stage2.state.static,
      }),
      ringTimeoutS: this.config.CALLGROUP_RING_TIMEOUT_S,
      ...(req['Call-ID'] ? { callId: req['Call-ID'] } : {}),
    });
    const { plan } = call;
    log.debug({ called, caller, status: plan.status, legs: plan.ring_plan.length, rendering: rendering.kind }, 'callgroup: planned');
    const reply: PlanReply = {
      'Account-ID': req['Account-ID'],
      'Called-Number': called,
      ...(req['Call-ID'] ? { 'Call-ID': req['Call-ID'] } : {}),
      Status: plan.status,
      'Ring-Plan': plan.ring_plan,
      ...(plan.ends_after_s !== null ? { 'Ends-After-S': plan.ends_after_s } : {}),
      Skipped: plan.skipped,
      ...(plan.ringback !== null ? { Ringback: plan.ringback } : {}),
      'Caller-ID': plan.caller_id,
      ...(plan.called_name !== null ? { 'Called-Name': plan.called_name } : {}),
      Rendering: renderingToWire(rendering),
      Stage2: { ...stage2.state, notes: stage2.summary },
      ...(call.error ? { 'Routing-Error': call.error.message } : {}),
      ...(account.warnings.length > 0 ? { Warnings: account.warnings } : {}),
      ...(req.Explain && call.tree ? { Tree: treeToWire(call.tree, stage2.notes) } : {}),
    };
    this.observe(reply);
    return reply;
  }

  /** Dry run: the request's state over the documents' stage-2 settings, validated like a scenario's. */
  private givenStage2(given: NonNullable<PlanRequest['Stage2']>, account: AccountTopology): Stage2Input {
    const state = parseOrThrow(
      Stage2Schema,
      {
        registrations: given.registrations ?? {},
        busy: given.busy ?? {},
        call_waiting: { ...account.callWaiting, ...given.call_waiting },
        static: { ...account.staticTargets, ...given.static },
      },
      'Stage2',
    );
    const notes = new Map<string, NodeLogEntry[]>();
    return { state, contacts: new Map(), notes, summary: ['given in the request (dry run): registrar and ecallmgr not asked'] };
  }

  /** Asks only about the users this call can reach: the tree decides, before any leg is planned. */
  private async askStage2(account: AccountTopology, caller: string, called: string, req: PlanRequest, log: Logger): Promise<Stage2Input> {
    const calledExt = /^[0-9]+$/.test(called) ? resolveCalled(account.topology, called) : undefined;
    const users = new Set<string>();
    if (calledExt) {
      const tree = discoverTree({ topology: account.topology, called: calledExt, calledNumber: called, callerNumber: caller });
      for (const node of flattenTree(tree)) {
        const user = stage2UserOf(node);
        if (user) users.add(user);
      }
    }
    const budgetMs = req['Stage2-Timeout-Ms'] ?? Number.POSITIVE_INFINITY;
    return lookupStage2(
      this.bus,
      this.config,
      { users: [...users], realm: account.realm, callWaiting: account.callWaiting, staticTargets: account.staticTargets, budgetMs },
      log,
    );
  }
}
