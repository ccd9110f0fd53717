import { ExtensionSchema, type ExtensionInput } from './schema/extension.js';
import { Stage2Schema, type RejectEvent, type Stage2Input } from './schema/stage2.js';
import { buildTopology, type Topology } from './topology.js';
import { planCall, type CallInput, type CallPlan } from './plan.js';

/** Test shorthand: extensions as in the scenario FORMAT, numbers without a type are SIMPLE. */
export function topologyOf(...extensions: ExtensionInput[]): Topology {
  return buildTopology(extensions.map((e) => ExtensionSchema.parse(e)));
}

export function callOf(
  topology: Topology,
  called: string,
  opts: { caller?: string; stage2?: Stage2Input; events?: RejectEvent[] } = {},
): CallInput {
  return { topology, caller: opts.caller ?? '1000', called, stage2: Stage2Schema.parse(opts.stage2 ?? {}), events: opts.events ?? [] };
}

export function plan(topology: Topology, called: string, opts: Parameters<typeof callOf>[2] = {}): CallPlan {
  return planCall(callOf(topology, called, opts));
}

export const phones = (...numbers: string[]): ExtensionInput[] => numbers.map((ext) => ({ ext }));

/** `1001@0-10` style summary of a plan's legs, sorted, for compact assertions. */
export function legsOf(p: CallPlan): string[] {
  return p.plan.ring_plan
    .map((l) => `${l.device ?? l.extension}@${l.start_after_s}-${l.stop_after_s ?? ''}`)
    .sort();
}
