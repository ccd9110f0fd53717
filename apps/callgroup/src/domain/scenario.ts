import { planCall, type CallPlan } from './plan.js';
import { ScenarioSchema, type Scenario } from './schema/scenario.js';
import type { RingPlan } from './schema/plan.js';
import { buildTopology } from './topology.js';
import { parseOrThrow } from './validate.js';

export function parseScenario(json: unknown): Scenario {
  return parseOrThrow(ScenarioSchema, json, 'scenario');
}

export function planParsedScenario(scenario: Scenario): CallPlan {
  return planCall({
    topology: buildTopology(scenario.extensions),
    caller: scenario.caller,
    called: scenario.called,
    stage2: scenario.stage2,
    events: scenario.events,
  });
}

/** What `fife callgroup plan SCENARIO.json` prints: the scenario's `expected` shape. */
export function planScenario(json: unknown): RingPlan {
  return planParsedScenario(parseScenario(json)).plan;
}
