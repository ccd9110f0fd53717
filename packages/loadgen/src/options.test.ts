import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadOptionsSchema, optionsFromFlags } from './options.js';

test('defaults make a quick run; flags override them', () => {
  const d = LoadOptionsSchema.parse({});
  assert.equal(d.phones, 2000);
  assert.deepEqual(d.regRates, [100, 200, 400, 800]);
  const o = optionsFromFlags({ phones: '10000', scale: ['registrar=2', 'ecallmgr=2,router=3'], regRates: '50, 100', callRates: '', storm: false });
  assert.equal(o.phones, 10_000);
  assert.deepEqual(o.scale, { registrar: 2, ecallmgr: 2, router: 3 });
  assert.deepEqual(o.regRates, [50, 100]);
  assert.deepEqual(o.callRates, []);
  assert.equal(o.storm, false);
});

test('bad flags are refused with the flag named', () => {
  assert.throws(() => optionsFromFlags({ phones: 'many' }), /--phones: "many" is not a number/);
  assert.throws(() => optionsFromFlags({ scale: ['registrar:2'] }), /--scale registrar:2/);
  assert.throws(() => optionsFromFlags({ regRates: '100,-5' }), /regRates/);
  assert.throws(() => optionsFromFlags({ phones: '10', callees: '8' }), /callees: at most half/);
  assert.throws(() => optionsFromFlags({ nodes: '3', callees: '2' }), /callees: every node needs a callee/);
});
