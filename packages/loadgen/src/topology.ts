/**
 * Which simulated nodes each ecallmgr process owns. ecallmgr processes must not list the same node
 * unless they share it through leases, so nodes are dealt out round-robin: with more processes than
 * nodes the extra processes list a node already owned (standby through the node lease), with fewer
 * each process owns several. Returns, per process (1-based index), the 0-based node indexes.
 */
export function nodesPerEcallmgr(processes: number, nodes: number): Map<number, number[]> {
  const plan = new Map<number, number[]>();
  for (let p = 1; p <= processes; p++) plan.set(p, []);
  for (let n = 0; n < Math.max(nodes, processes); n++) plan.get((n % processes) + 1)!.push(n % nodes);
  for (const [p, list] of plan) plan.set(p, [...new Set(list)].sort((a, b) => a - b));
  return plan;
}

/** The ecallmgr process whose mod_xml_curl endpoint a node asks: the first process that lists it. */
export function xmlCurlOwner(plan: Map<number, number[]>, node: number): number {
  for (const [p, list] of [...plan].sort(([a], [b]) => a - b)) if (list.includes(node)) return p;
  throw new Error(`node ${node} is owned by no ecallmgr process`);
}

/** Phone `i` lives on node `i mod nodes`; it calls a callee on its own node (a bridge only reaches local registrations). */
export function nodeOfPhone(phone: number, nodes: number): number {
  return phone % nodes;
}

/** The callee (0 … callees-1) that caller `caller` rings for its `n`-th call: one on the caller's node. */
export function calleeFor(caller: number, n: number, callees: number, nodes: number): number {
  const node = nodeOfPhone(caller, nodes);
  const onNode = Math.ceil((callees - node) / nodes); // callees k < callees with k mod nodes = node
  if (onNode <= 0) throw new Error(`no callee on node ${node}: use at least ${nodes} callees`);
  return node + nodes * (n % onNode);
}
