import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedSkip } from '@fife/testkit';
import { buildTopology, parseScenario, planCall, renderCall } from './domain/index.js';
import { dialplanOf, lastPlanSecond, readScenario, ringLogMismatches, scenarioFiles, simPhoneOf, simulateCall, SIM_DOMAIN, withinOneSecond } from './testing/index.js';

/**
 * Issue 7: the FreeSWITCH rendering, executed by the simulator (FreeSWITCH timer granularity, virtual
 * clock), rings what the plan says within +1 s (reference §2.5). Every leg gets its own simulated
 * phone that never answers ("nobody ever answers in these scenarios"), so the ring log shows each
 * leg's whole life. Scenarios with runtime events are left out: the rendering is made for the call
 * as planned, and rejections while it runs are FreeSWITCH's to apply (only approximately Yate's, §2.2).
 */
const files = scenarioFiles().filter((f) => ((readScenario(f).events as unknown[] | undefined) ?? []).length === 0);

describe('the simulator executing the FreeSWITCH rendering rings the plan within +1 s', { skip: sharedSkip }, () => {
  test('the sample is most of the corpus', () => {
    assert.ok(files.length >= 45, `event-free scenarios: ${files.length}`);
  });

  for (const file of files) {
    test(file, async () => {
      const scenario = parseScenario(readScenario(file));
      const input = { topology: buildTopology(scenario.extensions), caller: scenario.caller, called: scenario.called, stage2: scenario.stage2 };
      const phones = new Set<string>();
      const rendering = renderCall(input, {
        resolveTarget: (leg) => {
          phones.add(simPhoneOf(leg));
          return `sofia/internal/sip:${simPhoneOf(leg)}@${SIM_DOMAIN}`;
        },
      });
      const { plan } = planCall(input);
      const horizon = lastPlanSecond(plan) + 5;
      assert.notEqual(rendering.kind, 'park', 'a park rendering is not a dial string the simulator can run');
      const log = await simulateCall(scenario.caller, scenario.called, dialplanOf(rendering), phones, horizon);
      assert.ok(log, 'the call has a ring log');
      if (rendering.kind === 'reject') {
        assert.equal(log.attempts.length, 0);
        assert.equal(log.cause, rendering.cause);
        return;
      }
      assert.deepEqual(ringLogMismatches(plan, log.attempts, horizon), [], JSON.stringify(log.attempts));
      if (plan.ends_after_s !== null) assert.ok(withinOneSecond(log.endS, plan.ends_after_s), `call ends at ${log.endS}, planned ${plan.ends_after_s}`);
      else assert.equal(log.endS, undefined, 'the call is still ringing at the horizon');
    });
  }
});
