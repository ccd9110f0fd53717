import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { parseTopology } from '../topology.js';
import { parseScenario } from '../scenario.js';

function refusedField(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isFifeError(err, 'callgroup.invalid'), `expected callgroup.invalid, got ${String(err)}`);
    return String(err.context.field);
  }
  assert.fail('was accepted');
}

test('invalid extension documents are refused with the field named', () => {
  assert.equal(refusedField(() => parseTopology([{ ext: '10a' }])), 'ext');
  assert.equal(refusedField(() => parseTopology([{ ext: '1001', type: 'PHONE' }])), 'type');
  assert.equal(refusedField(() => parseTopology([{ ext: '2000', type: 'GROUP', ranks: [{ mode: 'NEXT', members: [] }] }])), 'ranks.0.delay');
  assert.equal(refusedField(() => parseTopology([{ ext: '1001', forward: { mode: 'ENABLED', to: '1002' } }])), 'forward.delay');
  assert.equal(refusedField(() => parseTopology([{ ext: '1001', forward: { mode: 'ON_BUSY', delay: 0 } }])), 'forward.to');
  assert.equal(
    refusedField(() => parseTopology([{ ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1', type: 'VIP' }] }] }])),
    'ranks.0.members.0.type',
  );
  assert.equal(refusedField(() => parseTopology([{ ext: '1001' }, { ext: '1001' }])), 'extensions.1.ext');
});

test('defaults follow the scenario FORMAT', () => {
  const topo = parseTopology([{ ext: '1001' }, { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }] }]);
  const phone = topo.byNumber.get('1001')!;
  assert.equal(phone.type, 'SIMPLE');
  assert.equal(phone.server, 'local');
  assert.equal(phone.lang, 'de_DE');
  assert.equal(phone.forward, null);
  const group = topo.byNumber.get('2000')!;
  assert.equal(group.server, null);
  assert.deepEqual(group.ranks[0]!.members[0], { ext: '1001', type: 'DEFAULT', active: true });
});

test('an invalid scenario is refused with the field named', () => {
  assert.equal(refusedField(() => parseScenario({ caller: '1000', called: '1001', extensions: [{ ext: 'x' }] })), 'extensions.0.ext');
  assert.equal(
    refusedField(() => parseScenario({ caller: '1000', called: '1001', extensions: [], events: [{ at_s: 1 }] })),
    'events.0',
  );
});
