import type { Extension } from './schema/extension.js';
import type { Topology } from './topology.js';
import { isImmediateForward, logOn, type LoadedRank, type TreeNode } from './tree.js';

/** ywsd stops expanding at depth 10 (§1.4.6). */
export const MAX_DEPTH = 10;
/**
 * Sibling groups nesting each other can grow the tree exponentially within the depth limit;
 * past this many nodes nothing more is expanded, so one bad configuration cannot stall the planner.
 */
export const MAX_NODES = 5_000;

export interface DiscoveryInput {
  topology: Topology;
  /** the extension the called number resolved to (a trunk for prefix routes) */
  called: Extension;
  calledNumber: string;
  callerNumber: string;
  maxDepth?: number;
  maxNodes?: number;
}

interface Walk {
  topology: Topology;
  callerNumber: string;
  maxDepth: number;
  maxNodes: number;
  nextId: number;
}

/**
 * Depth-first discovery of the routing tree (§1.4): loads forwards and ranks, switches off for
 * this call whatever would loop back into the path (caller included), prunes ranks behind an
 * immediate forward and stops at the depth limit. Every decision is logged on its node.
 */
export function discoverTree(input: DiscoveryInput): TreeNode {
  const walk: Walk = {
    topology: input.topology,
    callerNumber: input.callerNumber,
    maxDepth: input.maxDepth ?? MAX_DEPTH,
    maxNodes: input.maxNodes ?? MAX_NODES,
    nextId: 0,
  };
  return visit(walk, input.called, input.calledNumber, 0, [input.calledNumber]);
}

function visit(walk: Walk, ext: Extension, number: string, depth: number, path: string[]): TreeNode {
  const node: TreeNode = { id: walk.nextId++, ext, number, depth, path, forward: null, ranks: [], log: [] };
  if (depth >= walk.maxDepth) {
    logOn(node, 'depth.limit', `depth ${depth} reached the limit ${walk.maxDepth}: not expanded (no ranks, no forward)`);
    if (ext.forward) logOn(node, 'forward.ignored', `forward to ${ext.forward.to} ignored at the depth limit (C5)`);
    return node;
  }
  if (walk.nextId >= walk.maxNodes) {
    logOn(node, 'tree.budget', `routing tree reached ${walk.maxNodes} nodes: not expanded`);
    return node;
  }
  if (ext.type === 'TRUNK') {
    // §1.4.1: a prefix route is handed to its node as dialled, never discovered further
    if (ext.forward) logOn(node, 'forward.ignored', 'a TRUNK is routed as dialled; its forward is ignored');
    return node;
  }
  loadForward(walk, node);
  if (ext.type === 'GROUP' || ext.type === 'MULTIRING') {
    if (isImmediateForward(ext.forward)) {
      logOn(node, 'ranks.pruned', 'ranks not loaded: the immediate forward replaces this extension');
    } else {
      node.ranks = loadRanks(walk, node);
    }
  }
  return node;
}

/** Whether `number` is the caller or already on the path from the root to `node` (both included). */
function closesLoop(walk: Walk, node: TreeNode, number: string): boolean {
  return number === walk.callerNumber || node.path.includes(number);
}

function loadForward(walk: Walk, node: TreeNode): void {
  const fwd = node.ext.forward;
  if (!fwd?.to || fwd.mode === 'DISABLED') return;
  const link = { mode: fwd.mode, delay: fwd.delay ?? 0, target: null as TreeNode | null };
  node.forward = link;
  if (closesLoop(walk, node, fwd.to)) {
    const who = fwd.to === walk.callerNumber ? 'the caller' : 'already on the path';
    logOn(node, 'forward.loop', `forward to ${fwd.to} switched off for this call: ${who}`);
    return;
  }
  const target = walk.topology.byNumber.get(fwd.to);
  if (!target) {
    logOn(node, 'forward.missing', `forward target ${fwd.to} is not a configured extension: switched off`);
    return;
  }
  link.target = visit(walk, target, fwd.to, node.depth + 1, [...node.path, fwd.to]);
}

function loadRanks(walk: Walk, node: TreeNode): LoadedRank[] {
  const ranks: LoadedRank[] = [];
  node.ext.ranks.forEach((rank, index) => {
    // ywsd loads ranks with an inner join on members: a rank without member rows does not exist
    if (rank.members.length === 0) return;
    const loaded: LoadedRank = { index, mode: rank.mode, delay: rank.delay ?? 0, members: [] };
    for (const member of rank.members) {
      loaded.members.push({ ext: member.ext, type: member.type, node: visitMember(walk, node, index, member) });
    }
    ranks.push(loaded);
  });
  return ranks;
}

function visitMember(
  walk: Walk,
  node: TreeNode,
  rankIndex: number,
  member: { ext: string; active: boolean },
): TreeNode | null {
  const where = `rank ${rankIndex} member ${member.ext}`;
  if (!member.active) {
    logOn(node, 'member.paused', `${where} is paused`);
    return null;
  }
  if (closesLoop(walk, node, member.ext)) {
    const who = member.ext === walk.callerNumber ? 'is the caller' : 'is already on the path';
    logOn(node, 'member.loop', `${where} ${who}: membership switched off for this call`);
    return null;
  }
  const ext = walk.topology.byNumber.get(member.ext);
  if (!ext) {
    logOn(node, 'member.missing', `${where} is not a configured extension`);
    return null;
  }
  return visit(walk, ext, member.ext, node.depth + 1, [...node.path, member.ext]);
}
