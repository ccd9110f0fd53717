import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calleeFor, nodeOfPhone, nodesPerEcallmgr, xmlCurlOwner } from './topology.js';

test('nodes are dealt to ecallmgr processes round-robin; extra processes stand by on an owned node', () => {
  assert.deepEqual([...nodesPerEcallmgr(1, 2)], [[1, [0, 1]]]);
  assert.deepEqual([...nodesPerEcallmgr(2, 2)], [[1, [0]], [2, [1]]]);
  const three = nodesPerEcallmgr(3, 2);
  assert.deepEqual([...three], [[1, [0]], [2, [1]], [3, [0]]]);
  assert.equal(xmlCurlOwner(three, 0), 1);
  assert.equal(xmlCurlOwner(three, 1), 2);
  assert.throws(() => xmlCurlOwner(three, 5), /owned by no ecallmgr/);
});

test('a caller always rings a callee on its own node, and every callee of that node in turn', () => {
  const nodes = 2;
  const callees = 5; // node 0: 0, 2, 4 — node 1: 1, 3
  for (let caller = 5; caller < 40; caller++) {
    const rung = new Set(Array.from({ length: 6 }, (_, n) => calleeFor(caller, n, callees, nodes)));
    for (const k of rung) {
      assert.ok(k < callees);
      assert.equal(nodeOfPhone(k, nodes), nodeOfPhone(caller, nodes));
    }
    assert.equal(rung.size, nodeOfPhone(caller, nodes) === 0 ? 3 : 2);
  }
  assert.throws(() => calleeFor(3, 0, 1, 2), /no callee on node 1/);
});
