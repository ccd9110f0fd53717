import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FifeError } from '@fife/api';
import { colorEnabled, errorMessage, exitCodeFor, exitCodes, printJson, table } from './index.js';
import { capture } from './test-helpers.js';

test('table: aligned plain text off a TTY, right-aligned numbers, ANSI-aware widths', () => {
  const text = table(['NAME', { header: 'N', align: 'right' }, 'NOTE'], [['a', 1, '\u001b[32mok\u001b[39m'], ['longer', 200, null]], { tty: false });
  assert.deepEqual(text.split('\n'), ['NAME      N  NOTE', 'a         1  \u001b[32mok\u001b[39m', 'longer  200']);
});

test('table: a boxed table on a TTY', () => {
  const text = table(['NAME', 'N'], [['a', 1], ['b', 2]], { tty: true });
  assert.match(text, /^┌/);
  assert.match(text, /│ a +│ 1 +│/);
  // no rule between body rows
  assert.equal(text.split('\n').filter((l) => l.startsWith('├')).length, 1);
});

test('exitCodeFor: timeouts and an unreachable broker are 3, anything else 1', () => {
  assert.equal(exitCodeFor(new FifeError('bus.timeout', 'x')), exitCodes.unreachable);
  assert.equal(exitCodeFor(new FifeError('bus.unroutable', 'x')), exitCodes.unreachable);
  assert.equal(exitCodeFor(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), exitCodes.unreachable);
  assert.equal(exitCodeFor(new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })])), exitCodes.unreachable);
  assert.equal(exitCodeFor(new FifeError('client.remote_error', 'no')), exitCodes.failure);
  assert.equal(exitCodeFor(new Error('boom')), exitCodes.failure);
  assert.deepEqual(exitCodes, { ok: 0, failure: 1, usage: 2, unreachable: 3 });
});

test('errorMessage: names the FifeError code, or the system error code', () => {
  assert.equal(errorMessage(new FifeError('bus.timeout', 'no reply')), 'no reply [bus.timeout]');
  assert.equal(errorMessage(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), 'refused (ECONNREFUSED)');
  assert.equal(errorMessage(new AggregateError([new Error('inner')], '')), 'inner');
});

test('colour: off without a TTY, off with NO_COLOR, forced by FORCE_COLOR', () => {
  const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
  try {
    delete process.env.NO_COLOR;
    delete process.env.FORCE_COLOR;
    assert.equal(colorEnabled({ isTTY: false }), false);
    assert.equal(colorEnabled({ isTTY: true }), true);
    process.env.NO_COLOR = '1';
    assert.equal(colorEnabled({ isTTY: true }), false);
    delete process.env.NO_COLOR;
    process.env.FORCE_COLOR = '1';
    assert.equal(colorEnabled({ isTTY: false }), true);
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

test('printJson: indented by default, one line per value as NDJSON', () => {
  const io = capture();
  printJson({ a: 1 }, { io });
  printJson({ b: [2] }, { io, ndjson: true });
  assert.equal(io.stdout(), '{\n  "a": 1\n}\n{"b":[2]}\n');
});
