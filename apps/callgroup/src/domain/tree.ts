import type { Extension, MemberType, RankMode } from './schema/extension.js';

/** One decision taken about a node: the answer to "why did this phone (not) ring?". */
export interface NodeLogEntry {
  code: string;
  message: string;
  at_s?: number;
}

export interface ForwardLink {
  mode: 'ENABLED' | 'ON_BUSY' | 'ON_UNAVAILABLE';
  delay: number;
  /** the discovered target; null when switched off for this call (loop, depth, missing, caller) */
  target: TreeNode | null;
}

export interface RankMembership {
  /** null: switched off for this call (paused, loop, missing extension) */
  node: TreeNode | null;
  type: MemberType;
  ext: string;
}

export interface LoadedRank {
  index: number;
  mode: RankMode;
  delay: number;
  members: RankMembership[];
}

/** One occurrence of an extension in the routing tree of one call. */
export interface TreeNode {
  id: number;
  ext: Extension;
  /** the number this node stands for: the extension, or the full dialled number for a trunk root */
  number: string;
  depth: number;
  /** numbers from the called extension down to this node, both included */
  path: string[];
  forward: ForwardLink | null;
  ranks: LoadedRank[];
  log: NodeLogEntry[];
}

export function logOn(node: TreeNode, code: string, message: string, at_s?: number): void {
  node.log.push(at_s === undefined ? { code, message } : { code, message, at_s });
}

export function isImmediateForward(fwd: { mode: string; delay?: number | null | undefined } | null): boolean {
  return fwd !== null && fwd.mode === 'ENABLED' && (fwd.delay ?? 0) === 0;
}

/** Depth-first list of nodes, for debugging output and tests. */
export function flattenTree(root: TreeNode): TreeNode[] {
  const out: TreeNode[] = [];
  const visit = (node: TreeNode): void => {
    out.push(node);
    if (node.forward?.target) visit(node.forward.target);
    for (const rank of node.ranks) for (const m of rank.members) if (m.node) visit(m.node);
  };
  visit(root);
  return out;
}
