import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadOptionsSchema } from './options.js';
import { cpuPerOp, markdownRow, recordRow } from './report.js';
import type { LoadReport, StepReport } from './run.js';

test('recordRow appends the load section once, then adds rows inside it and leaves other sections alone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'loadgen-report-'));
  try {
    const docs = join(dir, 'benchmarks.md');
    await writeFile(docs, '# Benchmarks\n\n## Bus\n| a |\n|---|\n| 1 |\n');
    await recordRow(docs, '| row 1 |');
    let text = await readFile(docs, 'utf8');
    assert.match(text, /## Bus\n\| a \|\n\|---\|\n\| 1 \|\n\n## Load \(`npm run bench:load`\)/);
    assert.ok(text.endsWith('| row 1 |\n'));
    // Someone appends another section after ours; our next row still lands in our table.
    await writeFile(docs, `${text}\n## Later\n| b |\n`);
    await recordRow(docs, '| row 2 |');
    text = await readFile(docs, 'utf8');
    assert.match(text, /\| row 1 \|\n\| row 2 \|\n\n## Later\n\| b \|\n$/);
    assert.equal(text.match(/## Load/g)?.length, 1);
    // A second table in our section (details of a run) does not receive the rows.
    await writeFile(docs, text.replace('| row 2 |\n', '| row 2 |\n\nDetails:\n\n| step |\n|---|\n| reg 100/s |\n'));
    await recordRow(docs, '| row 3 |');
    text = await readFile(docs, 'utf8');
    assert.match(text, /\| row 2 \|\n\| row 3 \|\n\nDetails:\n\n\| step \|\n\|---\|\n\| reg 100\/s \|\n\n## Later/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const fetchStats = (p50: number) => ({ count: 10, p50, p99: p50 * 2, max: p50 * 3, errors: 0, noAnswer: 0 });
const step = (phase: 'register' | 'call', rate: number, failed: number): StepReport => ({
  phase,
  targetPerS: rate,
  achievedPerS: rate,
  completedPerS: rate,
  started: rate * 5,
  succeeded: rate * 5 - failed,
  failed,
  causes: {},
  auth: fetchStats(rate / 10),
  route: phase === 'call' ? fetchStats(rate) : undefined,
  baseline: { count: 10, p50: 2, p99: 9, max: 9, sent: 10, lost: 0, achievedPerS: rate },
  processes: [
    { name: 'registrar-1', cpuPercent: 10, cpuSeconds: rate * 0.02, rssMb: 100 },
    { name: 'driver+sim', cpuPercent: 10, cpuSeconds: rate * 0.01, rssMb: 100 },
  ],
  serverSide: [],
  driverLoopDelay: { p50Ms: 1, p99Ms: 2, maxMs: 3 },
});

function reportWith(steps: StepReport[]): LoadReport {
  return {
    runId: 'x',
    options: LoadOptionsSchema.parse({ phones: 100, callees: 2 }),
    machine: { cpus: 2, memGiB: 8, loadAvg: [1, 1, 1], node: 'v20', date: '2026-11-22 10:00 UTC' },
    loadAvgEnd: [2, 2, 2],
    processes: ['registrar-1', 'driver+sim'],
    whapps: 1,
    vhost: 'private',
    setup: { fillMs: 1, filled: 100, stored: 100, clusterReadyMs: 1, provisionMs: 1 },
    steps,
    storm: undefined,
    restarts: 0,
  };
}

test('a row names the highest step clean from the bottom, where failures start, and the CPU per operation', () => {
  const row = markdownRow(reportWith([step('register', 100, 0), step('register', 200, 0), step('register', 400, 61), step('register', 800, 0), step('call', 10, 3)]));
  const cells = row.split(' | ');
  assert.match(cells[3]!, /^clean up to 200\/s: 20\.0 \/ 40\.0 \(2\.0 \/ 9\.0\); 4\.0 ms Fife CPU per op; first failures at 400\/s \(61\/2000\)$/);
  assert.match(cells[4]!, /^\*\*3\/50 failed\*\* at 10\/s: 10\.0 \/ 20\.0/);
  assert.match(cells[5]!, /^not run \|$/);
  assert.deepEqual(cpuPerOp(step('call', 10, 0)), { fife: 4, driver: 2 });
});
