// Ring-plan throughput: a 3-level nested group with 50 devices against a trivial baseline (one
// SIMPLE extension) measured in the same run, topology already loaded (warm). Bounded to ~10 s.
// Run: node --import tsx apps/callgroup/bench/plan.bench.ts
import { performance } from 'node:perf_hooks';
import { buildTopology, ExtensionSchema, planCall, renderCall, Stage2Schema, type CallInput, type ExtensionInput } from '../src/domain/index.js';

const RUN_MS = 2_000;
const WARMUP_MS = 300;

function nestedGroupTopology(): ExtensionInput[] {
  const exts: ExtensionInput[] = [{ ext: '1000', name: 'Caller' }, { ext: '1999' }];
  const level2: string[] = [];
  let phone = 3000;
  for (let a = 0; a < 5; a++) {
    const mid = `2${a}00`;
    level2.push(mid);
    const leaves: string[] = [];
    for (let b = 0; b < 2; b++) {
      const leaf = `2${a}${b + 1}0`;
      leaves.push(leaf);
      const members = Array.from({ length: 5 }, () => ({ ext: String(phone++) }));
      // inner groups hunt: first two phones, the rest join after 5 s
      exts.push({ ext: leaf, type: 'GROUP', ranks: [{ members: members.slice(0, 2) }, { mode: 'NEXT', delay: 5, members: members.slice(2) }] });
    }
    exts.push({ ext: mid, type: 'GROUP', ranks: [{ members: [{ ext: leaves[0]! }] }, { mode: 'NEXT', delay: 10, members: [{ ext: leaves[1]! }] }] });
  }
  exts.push({
    ext: '9000',
    type: 'GROUP',
    forward: { mode: 'ENABLED', delay: 60, to: '1999' },
    ranks: [{ members: level2.slice(0, 3).map((ext) => ({ ext })) }, { mode: 'NEXT', delay: 20, members: level2.slice(3).map((ext) => ({ ext })) }],
  });
  for (let p = 3000; p < phone; p++) exts.push({ ext: String(p) });
  return exts;
}

function measure(label: string, fn: () => unknown): { label: string; perSecond: number; iterations: number } {
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) fn();
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 50; i++) fn();
    iterations += 50;
    elapsed = performance.now() - start;
  } while (elapsed < RUN_MS);
  return { label, perSecond: (iterations / elapsed) * 1000, iterations };
}

const topology = buildTopology(nestedGroupTopology().map((e) => ExtensionSchema.parse(e)));
const stage2 = Stage2Schema.parse({ busy: { '3007': 1 }, call_waiting: { '3007': false }, registrations: { '3011': [] } });
const nested: CallInput = { topology, caller: '1000', called: '9000', stage2 };
const single: CallInput = { topology, caller: '1000', called: '3000', stage2 };

const check = planCall(nested);
const devices = check.plan.ring_plan.length;
if (check.plan.status !== 'ringing' || devices < 40) throw new Error(`bench topology broken: ${check.plan.status}, ${devices} legs`);

const resolveTarget = (leg: { device: string | null; extension: string }): string => `sofia/internal/sip:${leg.device ?? leg.extension}@10.0.0.1`;
const baseline = measure('plan: single SIMPLE (baseline)', () => planCall(single));
const nestedPlan = measure(`plan: 3-level nested group, 50 devices (${devices} legs)`, () => planCall(nested));
const nestedRender = measure('plan + render dial string, same group', () => renderCall(nested, { resolveTarget }));

console.log('| case | plans/s | relative to baseline | target |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of [baseline, nestedPlan, nestedRender]) {
  const target = r === baseline ? '' : '≥ 2,000';
  console.log(`| ${r.label} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${(r.perSecond / baseline.perSecond).toFixed(3)} | ${target} |`);
}
if (nestedPlan.perSecond < 2_000) process.exitCode = 1;
