import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paced, pacedToEnd, withLimit } from './pace.js';
import { Gate } from './probe.js';
import { percentile, ratio, summarize } from './stats.js';

test('nearest-rank percentiles, empty input is NaN, ratio refuses missing sides', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
  assert.deepEqual(summarize(values), { count: 100, p50: 50, p99: 99, max: 100 });
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(summarize([]).p50));
  assert.equal(ratio(6, 3), 2);
  assert.ok(Number.isNaN(ratio(6, NaN)) && Number.isNaN(ratio(6, 0)));
});

test('paced starts rate × seconds jobs on schedule without waiting for them', async () => {
  const startedAt: number[] = [];
  const t0 = performance.now();
  const inflight: Promise<unknown>[] = [];
  const r = await paced(50, 0.4, async () => {
    startedAt.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 300)); // slower than the schedule: must not hold it up
  }, inflight);
  assert.equal(r.started, 20);
  assert.equal(inflight.length, 20);
  assert.ok(startedAt[19]! < 700, `last start at ${startedAt[19]} ms`);
  assert.ok(r.achievedPerS <= 50 && r.achievedPerS > 20, `achieved ${r.achievedPerS}`);
  await Promise.all(inflight);
});

test('pacedToEnd returns once every started job finished, timed from the first start to the last finish', async () => {
  let finished = 0;
  const { pace, elapsedS } = await pacedToEnd(50, 0.2, async () => {
    await new Promise((res) => setTimeout(res, 150));
    finished++;
  });
  assert.equal(pace.started, 10);
  assert.equal(finished, 10);
  assert.ok(elapsedS >= 0.15 + 9 / 50 - 0.02, `elapsed ${elapsedS} s`);
});

test('Gate and withLimit never exceed their limit', async () => {
  const gate = new Gate(3);
  let active = 0;
  let peak = 0;
  const job = async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 5));
    active--;
  };
  await Promise.all(Array.from({ length: 20 }, () => gate.run(job)));
  assert.equal(peak, 3);
  peak = 0;
  const seen: number[] = [];
  await withLimit([1, 2, 3, 4, 5, 6, 7], 2, async (n) => (seen.push(n), job()));
  assert.equal(peak, 2);
  assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);
});
