import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverTree } from './discovery.js';
import { flattenTree, type TreeNode } from './tree.js';
import { legsOf, phones, plan, topologyOf } from './test-helpers.js';
import type { Topology } from './topology.js';

function discover(topology: Topology, called: string, caller = '1000'): TreeNode {
  return discoverTree({ topology, called: topology.byNumber.get(called)!, calledNumber: called, callerNumber: caller });
}

const codes = (node: TreeNode): string[] => node.log.map((e) => e.code);

test('loop detection: a group inside itself via a nested group is switched off on the inner occurrence only', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }, { ext: '2100' }] }] },
    { ext: '2100', type: 'GROUP', ranks: [{ members: [{ ext: '1002' }, { ext: '2000' }] }] },
    ...phones('1000', '1001', '1002'),
  );
  const root = discover(topo, '2000');
  const paths = flattenTree(root).map((n) => n.path.join('>'));
  assert.deepEqual(paths, ['2000', '2000>1001', '2000>2100', '2000>2100>1002']);
  const inner = flattenTree(root).find((n) => n.number === '2100')!;
  assert.deepEqual(codes(inner), ['member.loop']);
  assert.equal(inner.ranks[0]!.members[1]!.node, null);
});

test('loop detection: the same extension in sibling branches is discovered twice (only ancestors count)', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '2100' }, { ext: '2200' }] }] },
    { ext: '2100', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }] },
    { ext: '2200', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }] },
    ...phones('1000', '1001'),
  );
  const found = flattenTree(discover(topo, '2000')).filter((n) => n.number === '1001');
  assert.equal(found.length, 2);
});

test('loop detection: the caller is excluded at every depth, and a forward to the caller is switched off', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1000' }, { ext: '1001' }] }] },
    { ext: '1001', forward: { mode: 'ENABLED', delay: 0, to: '1000' } },
    ...phones('1000'),
  );
  const root = discover(topo, '2000');
  assert.ok(codes(root).includes('member.loop'));
  const m = flattenTree(root).find((n) => n.number === '1001')!;
  assert.deepEqual(codes(m), ['forward.loop']);
  assert.deepEqual(legsOf(plan(topo, '2000')), ['1001@0-']);
});

test('calling oneself rings oneself: the root is never excluded', () => {
  const topo = topologyOf(...phones('1000'));
  assert.deepEqual(legsOf(plan(topo, '1000', { caller: '1000' })), ['1000@0-']);
});

test('depth limit: a node at depth 10 is not expanded, its forward is ignored and logged', () => {
  const chain = Array.from({ length: 14 }, (_, i) => ({
    ext: String(3000 + i),
    forward: i < 13 ? { mode: 'ENABLED' as const, delay: 0, to: String(3001 + i) } : null,
  }));
  const topo = topologyOf(...chain, ...phones('1000'));
  const nodes = flattenTree(discover(topo, '3000'));
  assert.equal(nodes.length, 11);
  const deepest = nodes[10]!;
  assert.equal(deepest.depth, 10);
  assert.equal(deepest.number, '3010');
  assert.deepEqual(codes(deepest), ['depth.limit', 'forward.ignored']);
  assert.deepEqual(legsOf(plan(topo, '3000')), ['3010@0-']);
});

test('depth limit: a group at depth 10 has no route, its members are not loaded', () => {
  const chain = Array.from({ length: 10 }, (_, i) => ({
    ext: String(3000 + i),
    type: 'GROUP' as const,
    ranks: [{ members: [{ ext: String(3001 + i) }] }],
  }));
  const topo = topologyOf(...chain, { ext: '3010', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }] }, ...phones('1000', '1001'));
  const p = plan(topo, '3000');
  assert.equal(p.plan.status, 'noroute');
  // one level less and the phone rings
  const shallow = topologyOf(...chain.slice(1), { ext: '3010', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }] }, ...phones('1000', '1001'));
  assert.deepEqual(legsOf(plan(shallow, '3001')), ['1001@0-']);
});

test('an immediate forward prunes the ranks of a group; paused members are logged, not visited', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', forward: { mode: 'ENABLED', delay: 0, to: '1009' }, ranks: [{ members: [{ ext: '1001' }] }] },
    { ext: '2100', type: 'GROUP', ranks: [{ members: [{ ext: '1001', active: false }, { ext: '1002' }] }] },
    ...phones('1000', '1001', '1002', '1009'),
  );
  const g = discover(topo, '2000');
  assert.equal(g.ranks.length, 0);
  assert.ok(codes(g).includes('ranks.pruned'));
  assert.deepEqual(legsOf(plan(topo, '2000')), ['1009@0-']);
  const h = discover(topo, '2100');
  assert.deepEqual(codes(h), ['member.paused']);
  assert.deepEqual(flattenTree(h).map((n) => n.number), ['2100', '1002']);
});

test('every runtime decision is logged on its node: why did this phone not ring?', () => {
  const topo = topologyOf(
    { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }, { ext: '1002' }] }] },
    ...phones('1000', '1001', '1002'),
  );
  const p = plan(topo, '2000', { stage2: { busy: { '1002': 1 }, call_waiting: { '1002': false } } });
  const node = flattenTree(p.tree!).find((n) => n.number === '1002')!;
  assert.deepEqual(node.log.map((e) => [e.code, e.at_s]), [['stage2.busy', 0]]);
});

test('a configuration that explodes the tree is cut at the node budget instead of stalling', () => {
  // ten levels of groups, each holding the next level twice: 2^10 paths without the budget
  const levels = Array.from({ length: 10 }, (_, i) => ({
    ext: String(4000 + i),
    type: 'GROUP' as const,
    ranks: [{ members: [{ ext: String(4001 + i) }, { ext: String(5001 + i) }] }],
  }));
  const twins = Array.from({ length: 10 }, (_, i) => ({
    ext: String(5001 + i),
    type: 'GROUP' as const,
    ranks: [{ members: [{ ext: String(4001 + i + 1) }, { ext: String(5001 + i + 1) }] }],
  }));
  const topo = topologyOf(...levels, ...twins, ...phones('1000', '4010', '5011', '4011'));
  const root = discoverTree({ topology: topo, called: topo.byNumber.get('4000')!, calledNumber: '4000', callerNumber: '1000', maxNodes: 50 });
  const nodes = flattenTree(root);
  assert.ok(nodes.length <= 50 * 3, `tree stayed bounded (${nodes.length} nodes)`);
  assert.ok(nodes.some((n) => n.log.some((e) => e.code === 'tree.budget')));
});
