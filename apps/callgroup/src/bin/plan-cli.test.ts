import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixturePath, sharedSkip } from '@fife/testkit';
import { runPlanCli } from './plan-cli.js';

function capture(argv: string[], readFile?: (p: string) => string): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runPlanCli(argv, { out: (t) => (out += t), err: (t) => (err += t), ...(readFile ? { readFile } : {}) });
  return { code, out, err };
}

test('plan prints the ring plan of a scenario as JSON', { skip: sharedSkip }, () => {
  const file = fixturePath('callgroup', 'hunting-group-then-forward.json');
  const r = capture([file]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { status: string; ring_plan: unknown[]; ends_after_s: unknown };
  const expected = (JSON.parse(readFileSync(file, 'utf8')) as { expected: { ring_plan: unknown[] } }).expected;
  assert.equal(out.status, 'ringing');
  assert.equal(out.ring_plan.length, expected.ring_plan.length);
  assert.equal(out.ends_after_s, null);
  const explained = JSON.parse(capture([file, '--explain']).out) as { explain: { path: string[] }[] };
  assert.deepEqual(explained.explain[0]!.path, ['2000']);
});

test('plan refuses a missing file, bad JSON and an invalid scenario with exit code 1 and a reason', () => {
  assert.equal(capture(['/nonexistent/scenario.json']).code, 1);
  assert.match(capture(['x.json'], () => '{nope').err, /"error"/);
  const invalid = capture(['x.json'], () => JSON.stringify({ caller: '1', called: '2', extensions: [{ ext: 'abc' }] }));
  assert.equal(invalid.code, 1);
  assert.equal((JSON.parse(invalid.err) as { error: { context: { field: string } } }).error.context.field, 'extensions.0.ext');
  assert.equal(capture([]).code, 2);
});
