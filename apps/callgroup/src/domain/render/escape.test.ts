import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { dialNumber, dialTarget, dialValue, variableBlock } from './escape.js';
import { legString } from './dial-string.js';

test('dialValue removes every dial-string metacharacter and quotes values with spaces', () => {
  for (const ch of [',', '|', '[', ']', '{', '}', '^', '<', '>', "'", '"', '\\']) {
    const out = dialValue(`a${ch}b`);
    assert.ok(!out.slice(1, -1).includes(ch), `${ch} survived in ${out}`);
  }
  assert.equal(dialValue('Alice'), 'Alice');
  assert.equal(dialValue('Alice Smith'), `'Alice Smith'`);
  assert.equal(dialValue('a:_:b'), `'a b'`);
  assert.equal(dialValue('x\n\ty'), `'x y'`);
  assert.equal(dialValue('Müller'), 'Müller');
});

test('an escaped name cannot open or close a variable block or add a leg', () => {
  const hostile = `x},sofia/gateway/evil/0900|{y=1`;
  const block = variableBlock('{', [['origination_caller_id_name', dialValue(hostile)]]);
  assert.equal(block.match(/[{}]/g)!.length, 2);
  assert.ok(!block.includes(',') && !block.includes('|'));
});

test('numbers must be digits or dial symbols', () => {
  assert.equal(dialNumber('+49301234*#'), '+49301234*#');
  for (const bad of ['10,01', '1001|1', '[1]', '{1}', '1^2', '', 'abc']) {
    assert.throws(() => dialNumber(bad), (err) => isFifeError(err, 'callgroup.render'));
  }
});

test('dial targets are checked, legs render delay and timeout only when set', () => {
  assert.equal(dialTarget('sofia/internal/sip:1001@10.0.0.1:5060;transport=tcp'), 'sofia/internal/sip:1001@10.0.0.1:5060;transport=tcp');
  for (const bad of ['a,b', 'a|b', 'a[b', 'a]b', 'a{b', 'a}b', 'a^b', 'a b', 'a:_:b', '']) {
    assert.throws(() => dialTarget(bad), (err) => isFifeError(err, 'callgroup.render'), bad);
  }
  const leg = { extension: '1', device: '1', kind: 'device' as const, start_after_s: 0, stop_after_s: null, via_path: ['1'] };
  assert.equal(legString({ target: 'sofia/x', delayStartS: 0, timeoutS: null, leg }), 'sofia/x');
  assert.equal(legString({ target: 'sofia/x', delayStartS: 10, timeoutS: null, leg }), '[leg_delay_start=10]sofia/x');
  assert.equal(legString({ target: 'sofia/x', delayStartS: 0, timeoutS: 10, leg }), '[leg_timeout=10]sofia/x');
  assert.equal(legString({ target: 'sofia/x', delayStartS: 5, timeoutS: 10, leg }), '[leg_delay_start=5,leg_timeout=10]sofia/x');
});
