import type { z } from 'zod';
import type { callgroupRenderingObject, callgroupTreeNodeObject } from '@fife/api';
import { flattenTree, type NodeLogEntry, type Rendering, type RingPlan, type TreeNode } from '../domain/index.js';

type WireRendering = z.input<typeof callgroupRenderingObject>;
type WireTreeNode = z.input<typeof callgroupTreeNodeObject>;

/** The rendering as plan_resp carries it (reference §2): what ecallmgr or call control executes. */
export function renderingToWire(rendering: Rendering): WireRendering {
  switch (rendering.kind) {
    case 'reject':
      return { kind: 'reject', cause: rendering.cause };
    case 'bridge':
    case 'enterprise':
      return { kind: rendering.kind, dial_string: rendering.dialString, variables: Object.fromEntries(rendering.variables) };
    case 'park':
      return {
        kind: 'park',
        reason: rendering.reason,
        variables: Object.fromEntries(rendering.variables),
        actions: rendering.actions.map((a) => ({ at_s: a.at_s, action: a.action, target: a.target, extension: a.leg.extension, device: a.leg.device })),
        ends_after_s: rendering.endsAfterS,
      };
  }
}

const STAGE2_USER_TYPES = new Set(['SIMPLE', 'MULTIRING', 'TRUNK']);

/** The stage-2 user a tree node rings through, if any (its state decides whether it rings). */
export function stage2UserOf(node: TreeNode): string | undefined {
  return STAGE2_USER_TYPES.has(node.ext.type) ? node.ext.ext : undefined;
}

/** Every node depth-first with its decisions, plus where its stage-2 state came from. */
export function treeToWire(root: TreeNode, stage2Notes: ReadonlyMap<string, NodeLogEntry[]>): WireTreeNode[] {
  return flattenTree(root).map((node) => {
    const user = stage2UserOf(node);
    const notes = user ? (stage2Notes.get(user) ?? []) : [];
    return { path: node.path, number: node.number, type: node.ext.type, log: [...node.log, ...notes].map((entry) => ({ ...entry })) };
  });
}

/** A plan_resp read back into the scenario FORMAT's `expected` shape (what `fife callgroup plan` prints). */
export function planFromReply(reply: Record<string, unknown>): RingPlan {
  return {
    status: reply.Status as RingPlan['status'],
    ring_plan: (reply['Ring-Plan'] ?? []) as RingPlan['ring_plan'],
    ends_after_s: typeof reply['Ends-After-S'] === 'number' ? reply['Ends-After-S'] : null,
    skipped: (reply.Skipped ?? []) as RingPlan['skipped'],
    ringback: typeof reply.Ringback === 'string' ? reply.Ringback : null,
    caller_id: reply['Caller-ID'] as RingPlan['caller_id'],
    called_name: typeof reply['Called-Name'] === 'string' ? reply['Called-Name'] : null,
  };
}
