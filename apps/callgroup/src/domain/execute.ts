import type { MemberType } from './schema/extension.js';
import type { RejectEvent } from './schema/stage2.js';
import type { RingLeg, SkippedLeg } from './schema/plan.js';
import type { ForkRoute, ForkTarget, LeafRoute, Route } from './routes.js';
import type { Stage2Runtime } from './stage2.js';
import { logOn } from './tree.js';

interface LeafLeg {
  kind: 'leaf';
  route: LeafRoute;
  callType: MemberType;
  userKey: string | null;
  entries: RingLeg[];
}

interface Timer {
  at: number;
  kind: 'next' | 'drop';
}

/** A fork being executed (Yate's ForkMaster): one per started fork route. */
export interface ForkRun {
  kind: 'fork';
  id: number;
  route: ForkRoute;
  parent: ForkRun | null;
  callType: MemberType;
  noCallWait: boolean;
  /** index of the next group to start */
  next: number;
  legs: Leg[];
  timer: Timer | null;
  alive: boolean;
  /** its current group is followed by an untimed step: only failure moves it on */
  waitingUntimed: boolean;
  /** ended from outside (drop, parent failure) while waiting untimed: a failover with an absolute end */
  killedWhileWaiting: boolean;
}

type Leg = LeafLeg | ForkRun;

export interface Execution {
  legs: RingLeg[];
  skipped: SkippedLeg[];
  /** when the root fork failed; null = still ringing when nothing more happens */
  endsAt: number | null;
  forks: ForkRun[];
  /** the fork each ring leg was started in */
  forkOfLeg: ReadonlyMap<RingLeg, ForkRun>;
  /** legs that only accompany regular legs (C2): one dial string cannot express that */
  auxiliaryLegs: ReadonlySet<RingLeg>;
}

/** Forks still waiting behind an untimed step (DEFAULT rank, busy/unavailable forward) when the plan settles. */
export function pendingForks(execution: Execution): ForkRun[] {
  return execution.forks.filter((f) => f.alive && f.waitingUntimed);
}

export function isWithin(fork: ForkRun, ancestor: ForkRun): boolean {
  for (let f: ForkRun | null = fork; f; f = f.parent) if (f === ancestor) return true;
  return false;
}

/**
 * Runs the route like Yate's callfork would (§1.6 with C2/C3/C4), assuming nobody answers:
 * starts groups, fires timers, reacts to rejections, consults stage 2 lazily as legs start.
 */
export function executeRoute(root: Route, stage2: Stage2Runtime, events: readonly RejectEvent[]): Execution {
  const run = new ForkExecution(stage2);
  return run.execute(root, events);
}

class ForkExecution {
  private readonly legs: RingLeg[] = [];
  private readonly skipped: SkippedLeg[] = [];
  private readonly forks: ForkRun[] = [];
  private readonly leafOf = new Map<RingLeg, LeafLeg>();
  private readonly forkOfLeg = new Map<RingLeg, ForkRun>();
  private readonly auxiliaryLegs = new Set<RingLeg>();
  private readonly forkOf = new Map<LeafLeg, ForkRun>();
  private endsAt: number | null = null;

  constructor(private readonly stage2: Stage2Runtime) {}

  execute(root: Route, events: readonly RejectEvent[]): Execution {
    const rootFork: ForkRoute =
      root.kind === 'fork'
        ? root
        : { kind: 'fork', node: root.node, groups: [[{ route: root, callType: 'DEFAULT', noCallWait: false }]], separators: [] };
    const fork = this.newFork(rootFork, null, 'DEFAULT', false);
    if (!this.startGroups(fork, 0)) this.fail(fork, 0);
    const pending = [...events].sort((a, b) => a.at_s - b.at_s);
    let e = 0;
    while (this.endsAt === null) {
      const t = this.nextInstant(pending[e]?.at_s);
      if (t === null) break;
      const affected: ForkRun[] = [];
      for (; e < pending.length && pending[e]!.at_s === t; e++) this.reject(pending[e]!, t, affected);
      this.instant(t, affected);
    }
    return { legs: this.legs, skipped: this.skipped, endsAt: this.endsAt, forks: this.forks, forkOfLeg: this.forkOfLeg, auxiliaryLegs: this.auxiliaryLegs };
  }

  private nextInstant(eventAt: number | undefined): number | null {
    let t = eventAt ?? null;
    for (const f of this.forks) if (f.alive && f.timer && (t === null || f.timer.at < t)) t = f.timer.at;
    return t;
  }

  /**
   * One second of the call. Ordering (§1.10, C4): rejections end their legs, then due drop
   * timers end theirs, and only then does anything start — so a device freed at t can ring
   * again at t. Among timers, older forks go first.
   */
  private instant(t: number, affected: ForkRun[]): void {
    const due = this.forks.filter((f) => f.alive && f.timer?.at === t);
    const timers = new Map(due.map((f) => [f, f.timer!]));
    // decided before the drops: did a rejection take the fork's last regular leg (rule 5)?
    const lostLastRegular = new Set(affected.filter((f) => !this.hasRegular(f)));
    for (const f of due) if (f.alive && f.timer?.kind === 'drop') this.dropNonPersistent(f, t);
    for (const f of affected) if (f.alive && !timers.has(f)) this.legEnded(f, t);
    for (const f of due) {
      if (!f.alive || f.timer !== timers.get(f)) continue;
      f.timer = null;
      if (lostLastRegular.has(f)) this.legEnded(f, t);
      else if (!this.startGroups(f, t) && f.legs.length === 0) this.fail(f, t);
    }
  }

  private newFork(route: ForkRoute, parent: ForkRun | null, callType: MemberType, noCallWait: boolean): ForkRun {
    const fork: ForkRun = {
      kind: 'fork', id: this.forks.length, route, parent, callType, noCallWait, next: 0, legs: [], timer: null, alive: true,
      waitingUntimed: false, killedWhileWaiting: false,
    };
    this.forks.push(fork);
    return fork;
  }

  /** §1.6 rule 2: start groups until one starts something; empty groups and their separators are skipped. */
  private startGroups(fork: ForkRun, t: number): boolean {
    fork.timer = null;
    fork.waitingUntimed = false;
    const { groups, separators } = fork.route;
    while (fork.next < groups.length) {
      const index = fork.next++;
      let started = false;
      for (const target of groups[index]!) if (this.startTarget(fork, target, t)) started = true;
      if (!started) continue;
      const sep = separators[index];
      // §1.6 rule 3: only a positive next/drop is a timer; anything else waits for failure
      if (sep && sep.kind !== 'default' && sep.delay > 0) fork.timer = { at: t + sep.delay, kind: sep.kind };
      else fork.waitingUntimed = sep !== undefined;
      return true;
    }
    return false;
  }

  private startTarget(fork: ForkRun, target: ForkTarget, t: number): boolean {
    // §1.6 rule 7: a target's own mark overrides what its fork passes down
    const callType = target.callType !== 'DEFAULT' ? target.callType : fork.callType;
    const noCallWait = fork.noCallWait || target.noCallWait;
    if (target.route.kind === 'fork') {
      const child = this.newFork(target.route, fork, callType, noCallWait);
      if (this.startGroups(child, t)) {
        fork.legs.push(child);
        return true;
      }
      child.alive = false;
      logOn(target.route.node, 'fork.empty', 'nothing could start in this branch', t);
      return false;
    }
    return this.startLeaf(fork, target.route, callType, noCallWait, t);
  }

  private startLeaf(fork: ForkRun, route: LeafRoute, callType: MemberType, noCallWait: boolean, t: number): boolean {
    const outcome = this.stage2.tryStart(route.number, noCallWait);
    const via_path = route.node.path;
    if (!outcome.ok) {
      this.skipped.push({ extension: route.number, via_path, at_s: t, reason: outcome.reason });
      const why = outcome.reason === 'busy' && noCallWait ? 'busy (no call waiting: ON_BUSY forward)' : outcome.reason;
      logOn(route.node, `stage2.${outcome.reason}`, `${route.number} not rung: ${why}`, t);
      return false;
    }
    const leaf: LeafLeg = { kind: 'leaf', route, callType, userKey: outcome.userKey, entries: [] };
    for (const d of outcome.devices) {
      const entry: RingLeg = { extension: route.number, device: d.device, kind: d.kind, start_after_s: t, stop_after_s: null, via_path };
      leaf.entries.push(entry);
      this.legs.push(entry);
      this.leafOf.set(entry, leaf);
      this.forkOfLeg.set(entry, fork);
      if (callType === 'AUXILIARY') this.auxiliaryLegs.add(entry);
    }
    this.forkOf.set(leaf, fork);
    fork.legs.push(leaf);
    logOn(route.node, 'stage2.ringing', `${route.number} rings on ${outcome.devices.length} leg(s)`, t);
    return true;
  }

  /** A device (or every leg of a number) rejects: its leg ends; a leaf with no device left ends by itself. */
  private reject(event: RejectEvent, t: number, affected: ForkRun[]): void {
    const matches = (leg: RingLeg): boolean =>
      leg.stop_after_s === null && ('device' in event ? leg.device === event.device : leg.extension === event.extension);
    for (const entry of this.legs.filter(matches)) {
      entry.stop_after_s = t;
      const leaf = this.leafOf.get(entry)!;
      if (leaf.entries.some((x) => x.stop_after_s === null)) continue;
      const fork = this.forkOf.get(leaf)!;
      if (!fork.alive) continue;
      this.stage2.release(leaf.userKey);
      fork.legs = fork.legs.filter((l) => l !== leaf);
      logOn(leaf.route.node, 'leg.rejected', `${leaf.route.number} rejected`, t);
      if (!affected.includes(fork)) affected.push(fork);
    }
  }

  private hasRegular(fork: ForkRun): boolean {
    return fork.legs.some((l) => l.callType === 'DEFAULT');
  }

  /** §1.6 rule 5 (with C2): a leg ended by itself. */
  private legEnded(fork: ForkRun, t: number): void {
    if (this.hasRegular(fork)) return;
    for (const leg of fork.legs.filter((l) => l.callType === 'AUXILIARY')) this.endLeg(leg, t);
    fork.legs = fork.legs.filter((l) => l.callType !== 'AUXILIARY');
    if (!this.startGroups(fork, t)) this.fail(fork, t);
  }

  /** A fork that cannot go on: its remaining legs end; the parent sees a leg that ended by itself (C3). */
  private fail(fork: ForkRun, t: number): void {
    for (const leg of fork.legs) this.endLeg(leg, t);
    fork.legs = [];
    fork.alive = false;
    fork.timer = null;
    logOn(fork.route.node, 'fork.failed', 'nothing rings any more in this fork', t);
    const parent = fork.parent;
    if (!parent) {
      this.endsAt = t;
      return;
    }
    parent.legs = parent.legs.filter((l) => l !== fork);
    if (parent.alive) this.legEnded(parent, t);
  }

  private dropNonPersistent(fork: ForkRun, t: number): void {
    for (const leg of fork.legs) if (leg.callType !== 'PERSISTENT') this.endLeg(leg, t);
    fork.legs = fork.legs.filter((l) => l.callType === 'PERSISTENT');
  }

  private endLeg(leg: Leg, t: number): void {
    if (leg.kind === 'fork') {
      if (leg.waitingUntimed) leg.killedWhileWaiting = true;
      for (const child of leg.legs) this.endLeg(child, t);
      leg.legs = [];
      leg.alive = false;
      leg.timer = null;
      return;
    }
    for (const entry of leg.entries) if (entry.stop_after_s === null) entry.stop_after_s = t;
    this.stage2.release(leg.userKey);
    logOn(leg.route.node, 'leg.dropped', `${leg.route.number} dropped`, t);
  }
}
