import type { Action } from '../domain/plan.js';

/**
 * Plans answered with `park`, waiting for their route_win (Kazoo's callflow waits ~3 s for it).
 * In memory on purpose: route_win comes to this process's own queue, so no other process needs them.
 */
export class ParkedPlans {
  private readonly plans = new Map<string, { actions: Action[]; expires: number }>();
  constructor(
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(callId: string, actions: Action[]): void {
    this.sweep();
    this.plans.set(callId, { actions, expires: this.now() + this.ttlMs });
  }

  /** The plan for a call, once: a second route_win for the same call finds nothing. */
  take(callId: string): Action[] | undefined {
    const plan = this.plans.get(callId);
    this.plans.delete(callId);
    return plan && plan.expires >= this.now() ? plan.actions : undefined;
  }

  get size(): number {
    return this.plans.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, plan] of this.plans) if (plan.expires < now) this.plans.delete(id);
  }
}
