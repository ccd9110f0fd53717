import { isWithin, pendingForks, type ForkRun } from '../execute.js';
import { planCall, type CallInput, type CallPlan } from '../plan.js';
import type { PlanStatus, RingLeg } from '../schema/plan.js';
import type { RejectEvent } from '../schema/stage2.js';
import { bridgeString, enterpriseString } from './dial-string.js';
import { dialTarget } from './escape.js';
import type { EnterprisePart, FailoverSteps, HangupCause, ParkAction, RenderOptions, Rendering, RenderedLeg } from './types.js';
import { globalVariables, lastPlanSecond } from './variables.js';

/** FreeSWITCH's MAX_PEERS: legs per `,` group, `|` groups, enterprise parts. */
const MAX_PEERS = 128;

const CAUSES: Record<Exclude<PlanStatus, 'ringing'>, HangupCause> = {
  busy: 'USER_BUSY',
  offline: 'USER_NOT_REGISTERED',
  noroute: 'NO_ROUTE_DESTINATION',
  error: 'NORMAL_TEMPORARY_FAILURE',
};

/**
 * Renders the ring plan of a call for FreeSWITCH (§2.3/§2.4): one bridge dial string when every
 * step is timed (untimed steps at the root become `|` groups), enterprise `:_:` parts when
 * independent branches each have their own failover, park + call control otherwise.
 */
export function renderCall(input: CallInput, options: RenderOptions): Rendering {
  const call = { ...input, events: [] };
  const plan = planCall(call);
  const status = plan.plan.status;
  if (status !== 'ringing') return { kind: 'reject', status, cause: CAUSES[status] };
  const variables = globalVariables(plan, input.called, options);
  const exec = plan.execution!;
  const park = (reason: string): Rendering => ({ kind: 'park', reason, variables, ...parkActions(plan, options) });

  if (exec.auxiliaryLegs.size > 0) return park('auxiliary legs: only call control can drop them with the last regular leg');
  if (exec.forks.some((f) => f.killedWhileWaiting)) return park('a failover step that is also ended at a fixed time');
  const pending = pendingForks(exec);
  const root = exec.forks[0]!;
  if (pending.every((f) => f === root)) {
    const steps = failoverSteps(call, plan, root.id, options);
    if (steps && fits(steps)) return { kind: 'bridge', dialString: bridgeString(variables, steps), variables, steps };
    return park('failover chain not expressible in one dial string');
  }
  const parts = enterpriseParts(call, plan, pending, options);
  if (parts) return { kind: 'enterprise', dialString: enterpriseString(variables, parts), variables, parts };
  return park('nested failover with an absolute end or nested failover chains');
}

function fits(steps: FailoverSteps): boolean {
  return steps.length <= MAX_PEERS && steps.every((g) => g.length <= MAX_PEERS);
}

function renderLeg(leg: RingLeg, groupStart: number, options: RenderOptions): RenderedLeg {
  return {
    target: dialTarget(options.resolveTarget(leg)),
    delayStartS: leg.start_after_s - groupStart,
    timeoutS: leg.stop_after_s === null ? null : leg.stop_after_s - leg.start_after_s,
    leg,
  };
}

function rejectionOf(leg: RingLeg, at_s: number): RejectEvent {
  return leg.device !== null ? { at_s, device: leg.device } : { at_s, extension: leg.extension };
}

/**
 * The `|` groups of one fork: its plan as it stands, then — as long as it waits behind an
 * untimed step — the plan after every leg of the previous group has failed (the whapp's own
 * planner decides what the next group is; FreeSWITCH restarts the clock per group).
 * null when a fork below the scope also waits behind an untimed step (not one dial string).
 */
function failoverSteps(call: CallInput, first: CallPlan, scopeId: number, options: RenderOptions): FailoverSteps | null {
  const steps: FailoverSteps = [];
  const events: RejectEvent[] = [];
  let plan = first;
  let groupStart = 0;
  while (steps.length < MAX_PEERS + 1) {
    const exec = plan.execution;
    const scope = exec?.forks[scopeId];
    if (!exec || !scope) break;
    const inScope = (leg: RingLeg): boolean => isWithin(exec.forkOfLeg.get(leg)!, scope);
    const group = exec.legs.filter((l) => inScope(l) && l.start_after_s >= groupStart);
    if (group.length === 0) break;
    steps.push(group.map((l) => renderLeg(l, groupStart, options)));
    const waiting = pendingForks(exec).filter((f) => isWithin(f, scope));
    if (waiting.length === 0) break;
    if (waiting.some((f) => f !== scope)) return null;
    const active = exec.legs.filter((l) => inScope(l) && l.stop_after_s === null);
    if (active.length === 0) break;
    groupStart = Math.max(groupStart + 1, lastPlanSecond(plan) + 1);
    events.push(...active.map((l) => rejectionOf(l, groupStart)));
    plan = planCall({ ...call, events: [...events] });
  }
  return steps;
}

function enterpriseParts(call: CallInput, plan: CallPlan, pending: ForkRun[], options: RenderOptions): EnterprisePart[] | null {
  const exec = plan.execution!;
  if (pending.some((f) => pending.some((g) => g !== f && isWithin(f, g)))) return null;
  const branchOf = (leg: RingLeg): ForkRun | undefined => pending.find((p) => isWithin(exec.forkOfLeg.get(leg)!, p));
  // a branch that something else stops at a fixed time needs loopback or call control
  if (exec.legs.some((l) => branchOf(l) && l.stop_after_s !== null)) return null;
  const parts: EnterprisePart[] = [];
  for (const fork of pending) {
    const steps = failoverSteps(call, plan, fork.id, options);
    if (!steps || steps.length === 0 || !fits(steps)) return null;
    parts.push(delayedPart(steps));
  }
  const rest = exec.legs.filter((l) => !branchOf(l)).map((l) => renderLeg(l, 0, options));
  if (rest.length > 0) parts.push(delayedPart([rest]));
  return parts.length <= MAX_PEERS && parts.every((p) => fits(p.steps)) ? parts : null;
}

/** FreeSWITCH fast-forwards a part made only of delayed legs: delay the part instead. */
function delayedPart(steps: FailoverSteps): EnterprisePart {
  const firstGroup = steps[0]!;
  const delay = Math.min(...firstGroup.map((l) => l.delayStartS));
  if (delay <= 0) return { delayStartS: 0, steps };
  const shifted = firstGroup.map((l) => ({ ...l, delayStartS: l.delayStartS - delay }));
  return { delayStartS: delay, steps: [shifted, ...steps.slice(1)] };
}

function parkActions(plan: CallPlan, options: RenderOptions): { actions: ParkAction[]; endsAfterS: number | null } {
  const actions: ParkAction[] = [];
  for (const leg of plan.plan.ring_plan) {
    const target = dialTarget(options.resolveTarget(leg));
    actions.push({ at_s: leg.start_after_s, action: 'originate', target, leg });
    if (leg.stop_after_s !== null) actions.push({ at_s: leg.stop_after_s, action: 'hangup', target, leg });
  }
  actions.sort((a, b) => a.at_s - b.at_s || (a.action === b.action ? 0 : a.action === 'hangup' ? -1 : 1));
  return { actions, endsAfterS: plan.plan.ends_after_s };
}
