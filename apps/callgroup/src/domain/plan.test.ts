import { test } from 'node:test';
import assert from 'node:assert/strict';
import { legsOf, phones, plan, topologyOf } from './test-helpers.js';

test('dedupe: the same phone via two branches rings once; the first started (depth-first) wins', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '2100' }, { ext: '2200' }] }] },
    { ext: '2100', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }] },
    { ext: '2200', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }, { ext: '1002' }] }] },
    ...phones('1000', '1001', '1002'),
  );
  const p = plan(topo, '2000');
  assert.deepEqual(legsOf(p), ['1001@0-', '1002@0-']);
  assert.deepEqual(p.plan.ring_plan.find((l) => l.device === '1001')!.via_path, ['2000', '2100', '1001']);
  assert.deepEqual(p.plan.skipped, [{ extension: '1001', via_path: ['2000', '2200', '1001'], at_s: 0, reason: 'duplicate' }]);
});

test('dedupe: a phone dropped at t may ring again at t (drops happen before starts)', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }, { mode: 'DROP', delay: 10, members: [{ ext: '1001' }, { ext: '1002' }] }] },
    ...phones('1000', '1001', '1002'),
  );
  assert.deepEqual(legsOf(plan(topo, '2000')), ['1001@0-10', '1001@10-', '1002@10-']);
});

test('dedupe: a phone without call waiting already ringing for this call counts as busy (inuse counts our legs)', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }, { mode: 'NEXT', delay: 5, members: [{ ext: '1001' }] }] },
    ...phones('1000', '1001'),
  );
  const p = plan(topo, '2000', { stage2: { call_waiting: { '1001': false } } });
  assert.deepEqual(p.plan.skipped.map((s) => s.reason), ['busy']);
});

test('busy devices and call waiting: ON_BUSY marks the whole subtree no-call-waiting, not the forward target', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', forward: { mode: 'ON_BUSY', to: '1009' }, ranks: [{ members: [{ ext: '1001' }, { ext: '2100' }] }] },
    { ext: '2100', type: 'GROUP', ranks: [{ members: [{ ext: '1002' }] }] },
    ...phones('1000', '1001', '1002', '1009'),
  );
  const p = plan(topo, '2000', { stage2: { busy: { '1001': 1, '1002': 2, '1009': 1 } } });
  assert.deepEqual(legsOf(p), ['1009@0-']);
  assert.deepEqual(p.plan.skipped.map((s) => `${s.extension}:${s.reason}`).sort(), ['1001:busy', '1002:busy']);
});

test('multiple registrations ring in parallel; one rejecting does not end the extension', () => {
  const topo = topologyOf(...phones('1000', '1001'));
  const p = plan(topo, '1001', { stage2: { registrations: { '1001': ['a', 'b'] } }, events: [{ at_s: 3, device: 'a' }] });
  assert.deepEqual(legsOf(p), ['a@0-3', 'b@0-']);
  assert.equal(p.plan.ends_after_s, null);
});

test('persistent mark on a nested group is inherited by its legs and survives the parent drop', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '2100', type: 'PERSISTENT' }, { ext: '1001' }] }, { mode: 'DROP', delay: 10, members: [{ ext: '1003' }] }] },
    { ext: '2100', type: 'GROUP', ranks: [{ members: [{ ext: '1002' }] }] },
    ...phones('1000', '1001', '1002', '1003'),
  );
  assert.deepEqual(legsOf(plan(topo, '2000')), ['1001@0-10', '1002@0-', '1003@10-']);
});

test('a nested fork that fails moves its parent on (rule 5)', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '2100' }] }, { members: [{ ext: '1003' }] }] },
    { ext: '2100', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }, { mode: 'DROP', delay: 10, members: [{ ext: '1002' }] }] },
    ...phones('1000', '1001', '1002', '1003'),
  );
  const p = plan(topo, '2000', { stage2: { registrations: { '1002': [] } } });
  assert.deepEqual(legsOf(p), ['1001@0-10', '1003@10-']);
});

test('status: busy wins over offline when nothing starts; an error for a phone without server', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }, { ext: '1002' }] }] },
    ...phones('1000', '1001', '1002'),
    { ext: '1003', server: null },
  );
  const p = plan(topo, '2000', { stage2: { registrations: { '1001': [] }, busy: { '1002': 1 }, call_waiting: { '1002': false } } });
  assert.equal(p.plan.status, 'busy');
  assert.equal(p.plan.ends_after_s, 0);
  const e = plan(topo, '1003');
  assert.equal(e.plan.status, 'error');
  assert.equal(e.error?.code, 'callgroup.config');
});

test('non-digit and unknown numbers have no route', () => {
  const topo = topologyOf(...phones('1000', '1001'));
  assert.equal(plan(topo, '10a1').plan.status, 'noroute');
  assert.equal(plan(topo, '1002').plan.status, 'noroute');
});

test('called short name prefixes the caller name; unknown callers carry only their number', () => {
  const topo = topologyOf({ ext: '1000', name: 'Alice' }, { ext: '1001', name: 'Bob', short_name: 'HD' });
  assert.deepEqual(plan(topo, '1001').plan.caller_id, { number: '1000', name: '[HD] Alice', lang: 'de_DE', dialout_allowed: false });
  assert.deepEqual(plan(topo, '1001', { caller: '0301234' }).plan.caller_id, {
    number: '0301234', name: '[HD]', lang: null, dialout_allowed: false,
  });
});

test('static targets always start, never busy, never de-duplicated; an extension event ends them', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1500' }, { ext: '2100' }] }, { members: [{ ext: '1001' }] }] },
    { ext: '2100', type: 'GROUP', ranks: [{ members: [{ ext: '1500' }] }] },
    ...phones('1000', '1001', '1500'),
  );
  const p = plan(topo, '2000', { stage2: { static: { '1500': 'conf/room1' }, busy: { '1500': 3 } }, events: [{ at_s: 4, extension: '1500' }] });
  assert.deepEqual(
    p.plan.ring_plan.map((l) => `${l.extension}:${l.kind}:${l.device}@${l.start_after_s}-${l.stop_after_s}`).sort(),
    ['1001:device:1001@4-null', '1500:static:null@0-4', '1500:static:null@0-4'],
  );
  assert.deepEqual(p.plan.skipped, []);
});

test('a trunk prefix route rings the trunk registration with the full dialled number', () => {
  const topo = topologyOf({ ext: '0', type: 'TRUNK', name: 'PSTN' }, ...phones('1000'));
  const p = plan(topo, '0301234', { stage2: { registrations: { '0': ['gw'] } } });
  assert.deepEqual(p.plan.ring_plan, [
    { extension: '0301234', device: 'gw', kind: 'device', start_after_s: 0, stop_after_s: null, via_path: ['0301234'] },
  ]);
  assert.equal(p.plan.called_name, 'PSTN');
  // two trunks matching the same number: ambiguous, no route
  const two = topologyOf({ ext: '0', type: 'TRUNK' }, { ext: '03', type: 'TRUNK' }, ...phones('1000'));
  assert.equal(plan(two, '0301234').plan.status, 'noroute');
});

test('a rejection and a drop timer in the same second: persistent legs survive unless the reject took the last regular leg', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001', type: 'PERSISTENT' }, { ext: '1002' }, { ext: '1003' }] }, { mode: 'DROP', delay: 10, members: [{ ext: '1004' }] }] },
    ...phones('1000', '1001', '1002', '1003', '1004'),
  );
  const offline = { registrations: { '1004': [] } };
  // 1003 still rings when 1002 rejects: the drop fires as a timer, the persistent leg keeps ringing
  const one = plan(topo, '2000', { stage2: offline, events: [{ at_s: 10, device: '1002' }] });
  assert.deepEqual(legsOf(one), ['1001@0-', '1002@0-10', '1003@0-10']);
  assert.equal(one.plan.ends_after_s, null);
  // both regular legs rejected at 10: rule 5 moves on, nothing can start, the fork fails
  const both = plan(topo, '2000', { stage2: offline, events: [{ at_s: 10, device: '1002' }, { at_s: 10, device: '1003' }] });
  assert.deepEqual(legsOf(both), ['1001@0-10', '1002@0-10', '1003@0-10']);
  assert.equal(both.plan.ends_after_s, 10);
});
