import { FifeError } from '@fife/api';
import type { MemberType } from './schema/extension.js';
import { isImmediateForward, logOn, type LoadedRank, type TreeNode } from './tree.js';

/** One extension on a node: what stage 2 turns into devices. */
export interface LeafRoute {
  kind: 'leaf';
  number: string;
  node: TreeNode;
}

export interface Separator {
  kind: 'next' | 'drop' | 'default';
  delay: number;
}

export interface ForkTarget {
  route: Route;
  callType: MemberType;
  /** X-No-Call-Wait: set below an ON_BUSY node, inherited by nested forks */
  noCallWait: boolean;
}

/** groups[i] rings as one step; separators[i] sits between groups[i] and groups[i + 1]. */
export interface ForkRoute {
  kind: 'fork';
  node: TreeNode;
  groups: ForkTarget[][];
  separators: Separator[];
}

export type Route = LeafRoute | ForkRoute;

type Item = { sep: Separator } | { target: ForkTarget };

/** Bottom-up route generation (§1.5, with Fife's corrections C1 and C5). null = no route. */
export function routeOf(node: TreeNode): Route | null {
  const fwd = node.forward;
  if (fwd?.target && isImmediateForward(fwd)) {
    logOn(node, 'forward.immediate', `forwards immediately to ${fwd.target.number}`);
    return routeOf(fwd.target);
  }
  const hasForward = fwd?.target != null && !isImmediateForward(fwd);
  switch (node.ext.type) {
    case 'EXTERNAL':
    case 'TRUNK':
      if (hasForward) logOn(node, 'forward.ignored', `${node.ext.type} ignores a ${fwd?.mode} forward`);
      return leafOf(node);
    case 'SIMPLE':
      return hasForward ? buildFork(node, true) : leafOf(node);
    case 'MULTIRING':
      return hasForward || hasActiveMember(node.ranks) ? buildFork(node, true) : leafOf(node);
    case 'GROUP':
      return buildFork(node, false);
  }
}

function hasActiveMember(ranks: LoadedRank[]): boolean {
  return ranks.some((r) => r.members.some((m) => m.node !== null));
}

function leafOf(node: TreeNode): LeafRoute {
  const type = node.ext.type;
  if ((type === 'SIMPLE' || type === 'MULTIRING') && !node.ext.server) {
    throw new FifeError('callgroup.config', `${type} extension ${node.ext.ext} has no server`, {
      extension: node.ext.ext,
      field: 'server',
    });
  }
  return { kind: 'leaf', number: node.number, node };
}

const separatorOf = (rank: LoadedRank): Separator => ({
  kind: rank.mode === 'NEXT' ? 'next' : rank.mode === 'DROP' ? 'drop' : 'default',
  delay: rank.mode === 'DEFAULT' ? 0 : rank.delay,
});

function buildFork(node: TreeNode, ownPhone: boolean): ForkRoute | null {
  const fwd = node.forward?.target && !isImmediateForward(node.forward) ? node.forward : null;
  let forwardOn = fwd !== null;
  const forwardAt = fwd?.mode === 'ENABLED' ? fwd.delay : null;
  let accumulated = 0;
  const items: Item[] = [];

  // A MULTIRING's timed first rank separates its own phone from the rank targets (E10, C1)
  let lead: Separator | null = null;
  let cutAll = false;
  const first = node.ranks[0];
  if (ownPhone && first && first.mode !== 'DEFAULT') {
    if (forwardOn && forwardAt !== null && first.delay >= forwardAt) {
      cutAll = true;
      logOn(node, 'rank.cut', `rank ${first.index} (at ${first.delay} s) and later cut by the forward at ${forwardAt} s`);
    } else {
      lead = separatorOf(first);
      accumulated = first.delay;
    }
  }

  let produced = false;
  for (const rank of cutAll ? [] : node.ranks) {
    if (produced) {
      const sep = separatorOf(rank);
      if (sep.kind === 'default') {
        if (forwardOn && forwardAt !== null) {
          forwardOn = false;
          logOn(node, 'forward.off', `delayed forward switched off: rank ${rank.index} is an untimed DEFAULT rank`);
        }
      } else if (forwardOn && forwardAt !== null && accumulated + sep.delay >= forwardAt) {
        logOn(node, 'rank.cut', `rank ${rank.index} (at ${accumulated + sep.delay} s) and later cut by the forward at ${forwardAt} s`);
        break;
      } else {
        accumulated += sep.delay;
      }
      items.push({ sep });
    }
    for (const member of rank.members) {
      if (!member.node) continue;
      const route = routeOf(member.node);
      if (!route) {
        logOn(member.node, 'route.none', 'no route: not rung');
        continue;
      }
      items.push({ target: { route, callType: member.type, noCallWait: false } });
      produced = true;
    }
    const last = items[items.length - 1];
    if (last && 'sep' in last && last.sep.kind === 'default') items.pop();
  }

  if (ownPhone) {
    const own: Item = { target: { route: leafOf(node), callType: 'DEFAULT', noCallWait: false } };
    items.unshift(...(lead ? [own, { sep: lead }] : [own]));
  }
  if (fwd?.mode === 'ON_BUSY') markNoCallWait(items);
  if (fwd && forwardOn && fwd.target) appendForward(node, items, fwd.mode, (forwardAt ?? 0) - accumulated, fwd.target);

  if (!items.some((i) => 'target' in i)) {
    logOn(node, 'route.none', 'nothing to ring: no route');
    return null;
  }
  return toFork(node, items);
}

function markNoCallWait(items: Item[]): void {
  for (const item of items) if ('target' in item) item.target.noCallWait = true;
}

function appendForward(node: TreeNode, items: Item[], mode: string, dropAfter: number, target: TreeNode): void {
  const route = routeOf(target);
  if (!route) {
    logOn(node, 'forward.unroutable', `forward to ${target.number} dropped: the target has no route`);
    return;
  }
  if (items.length > 0) items.push({ sep: mode === 'ENABLED' ? { kind: 'drop', delay: dropAfter } : { kind: 'default', delay: 0 } });
  items.push({ target: { route, callType: 'DEFAULT', noCallWait: false } });
}

function toFork(node: TreeNode, items: Item[]): ForkRoute {
  const groups: ForkTarget[][] = [[]];
  const separators: Separator[] = [];
  for (const item of items) {
    if ('sep' in item) {
      separators.push(item.sep);
      groups.push([]);
    } else {
      groups[groups.length - 1]!.push(item.target);
    }
  }
  return { kind: 'fork', node, groups, separators };
}
