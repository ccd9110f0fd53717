import { FifeError, isFifeError } from '@fife/api';
import { callerIdFor } from './caller.js';
import { discoverTree } from './discovery.js';
import { executeRoute, type Execution } from './execute.js';
import { routeOf, type Route } from './routes.js';
import type { RingPlan, PlanStatus, SkippedLeg } from './schema/plan.js';
import type { RejectEvent, Stage2State } from './schema/stage2.js';
import { Stage2Runtime } from './stage2.js';
import { resolveCalled, type Topology } from './topology.js';
import { flattenTree, type TreeNode } from './tree.js';

export interface CallInput {
  topology: Topology;
  caller: string;
  called: string;
  stage2: Stage2State;
  /** runtime rejections to simulate; the live service plans without any */
  events?: readonly RejectEvent[];
}

/** The ring plan plus what led to it, for rendering and for "why did this phone not ring?". */
export interface CallPlan {
  plan: RingPlan;
  tree: TreeNode | null;
  route: Route | null;
  execution: Execution | null;
  error: FifeError | null;
}

const DIGITS = /^[0-9]+$/;

export function planCall(input: CallInput): CallPlan {
  const { topology, caller, called } = input;
  const calledExt = DIGITS.test(called) ? resolveCalled(topology, called) : undefined;
  const base = {
    ringback: calledExt?.ringback ?? null,
    caller_id: callerIdFor(topology, caller, calledExt),
    called_name: calledExt?.name ?? null,
  };
  const finished = (status: PlanStatus, rest: Partial<CallPlan> = {}, skipped: SkippedLeg[] = []): CallPlan => ({
    plan: { status, ring_plan: [], ends_after_s: 0, skipped, ...base },
    tree: null, route: null, execution: null, error: null, ...rest,
  });

  if (!calledExt) return finished('noroute');
  const tree = discoverTree({ topology, called: calledExt, calledNumber: called, callerNumber: caller });
  let route: Route | null;
  try {
    route = routeOf(tree);
  } catch (err) {
    if (!isFifeError(err)) throw err;
    return finished('error', { tree, error: err });
  }
  if (!route) return finished('noroute', { tree });

  const execution = executeRoute(route, new Stage2Runtime(topology, input.stage2), input.events ?? []);
  const startedAtZero = execution.legs.some((l) => l.start_after_s === 0);
  const status: PlanStatus = startedAtZero ? 'ringing' : statusOfFailure(execution.skipped);
  return {
    plan: { status, ring_plan: execution.legs, ends_after_s: execution.endsAt, skipped: execution.skipped, ...base },
    tree, route, execution, error: null,
  };
}

function statusOfFailure(skipped: SkippedLeg[]): PlanStatus {
  return skipped.some((s) => s.at_s === 0 && (s.reason === 'busy' || s.reason === 'duplicate')) ? 'busy' : 'offline';
}

/** Every node's decisions, depth-first: the answer to "why did this phone not ring?". */
export function explainPlan(plan: CallPlan): { path: string[]; log: TreeNode['log'] }[] {
  return plan.tree ? flattenTree(plan.tree).map((n) => ({ path: n.path, log: n.log })) : [];
}
