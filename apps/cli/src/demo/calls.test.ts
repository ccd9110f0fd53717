// What `fife up --sim --check` judges: a sample call passes only when the ring log and the router's
// reasons show what it should do. These cases make sure a wrong call is reported, not waved through.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RingAttempt } from '@fife/testkit';
import { SAMPLE_CALLS, mismatches, type SampleCall } from './calls.js';
import { PHONES, aorOf, type PhoneKey } from './people.js';
import type { PlacedCall } from './place-call.js';
import { formatOutcome } from './report.js';

const sales = SAMPLE_CALLS.find((s) => s.to === '2000')!;
const busy = SAMPLE_CALLS.find((s) => s.to === '3000')!;

function attempt(phone: PhoneKey, startS: number, outcome: RingAttempt['outcome'], endS?: number, cause?: string): RingAttempt {
  return { target: `sofia/internal/sip:${PHONES[phone].ext}@127.0.0.1`, endpoint: aorOf(PHONES[phone]), uuid: undefined, startS, endS, outcome, cause };
}

function placed(attempts: RingAttempt[], answeredBy?: PhoneKey, answeredS?: number): PlacedCall {
  return {
    from: '1001',
    to: '2000',
    placedAt: new Date('2026-11-22T09:00:00Z'),
    cause: 'NORMAL_CLEARING',
    log: { callId: 'c1', startedAtMs: 0, attempts, answeredBy: answeredBy && aorOf(PHONES[answeredBy]), answeredS, endS: undefined, cause: undefined },
  };
}

/** The sales call as it should go, first ring 0.8 s after the INVITE (routing), FreeSWITCH timers ~1 s late. */
const goodSales = () =>
  placed([attempt('carol', 0.8, 'cancelled', 6.7, 'LOSE_RACE'), attempt('dan', 3.7, 'cancelled', 6.7, 'LOSE_RACE'), attempt('erin', 5.7, 'answered')], 'erin', 6.7);
const salesReasons = ['callgroup 2000 for Alice (1001): 3 leg(s), bridge dial string'];

describe('sample call verdicts', () => {
  test('the sales call as planned passes, times counted from the first ring', () => {
    assert.deepEqual(mismatches(sales, goodSales(), salesReasons), []);
  });

  test('a rank that starts too late, a wrong answerer, an extra phone and a missing reason are each reported', () => {
    const late = goodSales();
    late.log!.attempts[2]!.startS = 9.5;
    assert.match(mismatches(sales, late, salesReasons).join('\n'), /Erin rang at 8\.7 s, expected 4 s/);

    const wrongAnswer = placed([attempt('carol', 0.8, 'answered'), attempt('dan', 3.7, 'cancelled'), attempt('erin', 5.7, 'cancelled')], 'carol', 2);
    const problems = mismatches(sales, wrongAnswer, salesReasons).join('\n');
    assert.match(problems, /Carol: answered, expected cancelled/);
    assert.match(problems, /answered by Carol, expected Erin/);

    const extra = goodSales();
    extra.log!.attempts.push(attempt('bob', 0.8, 'cancelled'));
    assert.match(mismatches(sales, extra, salesReasons).join('\n'), /1002@demo\.fife\.local rang unexpectedly/);

    assert.match(mismatches(sales, goodSales(), ['callgroup 2000: no plan']).join('\n'), /no reason matching/);
  });

  test('nobody ringing at all fails every expectation', () => {
    const problems = mismatches(sales, placed([]), []);
    assert.equal(problems.filter((p) => p.endsWith('never rang')).length, 3);
  });

  test('forward on busy: the busy phone must refuse with USER_BUSY', () => {
    const sample: SampleCall = busy;
    const ok = placed([attempt('frank', 0.9, 'failed', 0.9, 'USER_BUSY'), attempt('grace', 0.9, 'answered')], 'grace', 1.9);
    assert.deepEqual(mismatches(sample, ok, ['Frank forwards on busy (when the devices reject) to 3002']), []);
    const noAnswer = placed([attempt('frank', 0.9, 'failed', 20.9, 'NO_ANSWER'), attempt('grace', 20.9, 'answered')], 'grace', 21.9);
    const problems = mismatches(sample, noAnswer, ['Frank forwards on busy (when the devices reject) to 3002']).join('\n');
    assert.match(problems, /Frank ended with NO_ANSWER, expected USER_BUSY/);
    assert.match(problems, /Grace rang at 20\.0 s, expected 0 s/);
  });

  test('the printed block names who rang when and the verdict', () => {
    const text = formatOutcome(2, { sample: sales, placed: goodSales(), route: { result: 'bridge', reasons: salesReasons }, problems: [] });
    assert.match(text, /^2\. Call group with delayed ranks/);
    assert.match(text, /first phone rang 0\.8 s after the INVITE/);
    assert.match(text, /2\.9 s {2}Dan \(2002\)\s+stopped ringing at 5\.9 s \(LOSE_RACE\)/);
    assert.match(text, /answered by Erin \(2003\) at 5\.9 s/);
    assert.match(text, /✔ as expected/);
    const bad = formatOutcome(2, { sample: sales, placed: placed([]), route: { result: 'error', reasons: [] }, problems: ['Carol never rang'] });
    assert.match(bad, /rang: nobody/);
    assert.match(bad, /✘ not as expected: Carol never rang/);
  });
});
