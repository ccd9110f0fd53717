import { test } from 'node:test';
import assert from 'node:assert/strict';
import { histogramDelta, parseHistograms } from './histograms.js';
import { metricValue, usageBetween } from './process-sampler.js';

const metrics = (count: number, sum: number, fast: number) => `# HELP fife_process_process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE fife_process_process_cpu_seconds_total counter
fife_process_process_cpu_seconds_total{app="registrar"} 12.5
fife_process_process_resident_memory_bytes{app="registrar"} 104857600
fife_handler_duration_seconds_bucket{le="0.005",message="directory/authn_req",outcome="ok",app="registrar"} ${fast}
fife_handler_duration_seconds_bucket{le="0.1",message="directory/authn_req",outcome="ok",app="registrar"} ${count}
fife_handler_duration_seconds_bucket{le="+Inf",message="directory/authn_req",outcome="ok",app="registrar"} ${count}
fife_handler_duration_seconds_sum{message="directory/authn_req",outcome="ok",app="registrar"} ${sum}
fife_handler_duration_seconds_count{message="directory/authn_req",outcome="ok",app="registrar"} ${count}
`;

test('metricValue reads a sample with or without labels, and not a longer name sharing the prefix', () => {
  const text = metrics(1, 0.01, 1);
  assert.equal(metricValue(text, 'fife_process_process_cpu_seconds_total'), 12.5);
  assert.equal(metricValue(text, 'fife_process_process_resident_memory_bytes'), 104_857_600);
  assert.equal(metricValue(text, 'fife_process_process_cpu'), undefined);
  assert.equal(metricValue('up 1\n', 'up'), 1);
});

test('histogram deltas between two scrapes: count, mean and bucket-bound percentiles of what happened in between', () => {
  const key = 'fife_handler_duration_seconds{message=directory/authn_req,outcome=ok}';
  const before = parseHistograms(metrics(10, 0.05, 10), ['fife_handler_duration_seconds']).get(key)!;
  const after = parseHistograms(metrics(110, 2.05, 60), ['fife_handler_duration_seconds']).get(key)!;
  assert.equal(after.count, 110);
  const d = histogramDelta('registrar authn', before, after)!;
  assert.equal(d.count, 100);
  assert.equal(d.meanMs.toFixed(1), '20.0');
  assert.equal(d.p50Ms, 5); // 50 of the 100 new ones were ≤ 5 ms
  assert.equal(d.p99Ms, 100);
  assert.equal(histogramDelta('idle', after, after), undefined);
});

test('CPU % of one core and RSS between two readings', () => {
  const before = [{ name: 'a', cpuSeconds: 1, rssBytes: 0, at: 1000, histograms: new Map() }];
  const after = [{ name: 'a', cpuSeconds: 1.5, rssBytes: 2 ** 21, at: 3000, histograms: new Map() }, { name: 'new', cpuSeconds: 1, rssBytes: 1, at: 3000, histograms: new Map() }];
  assert.deepEqual(usageBetween(before, after), [{ name: 'a', cpuPercent: 25, cpuSeconds: 0.5, rssMb: 2 }]);
});
