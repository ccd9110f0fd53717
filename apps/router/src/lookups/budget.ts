import { FifeError } from '@fife/api';

/**
 * The time left to answer one route request. Every lookup takes the smaller of its own timeout and
 * what is left (minus a margin for publishing the answer), so route_resp always goes out in time.
 */
export class Budget {
  private readonly deadline: number;
  constructor(
    totalMs: number,
    private readonly marginMs = 25,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + totalMs;
  }

  remaining(): number {
    return this.deadline - this.now();
  }

  /** Timeout for one lookup; throws when nothing is left, so the module decides without it. */
  timeoutFor(ownMs: number, what: string): number {
    const left = this.remaining() - this.marginMs;
    if (left < 5) throw new FifeError('router.deadline', `no time left for ${what}`, { what });
    return Math.min(ownMs, left);
  }
}

/** Rejects with `router.deadline` when `work` is not done within `ms`. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FifeError('router.deadline', `${what} did not finish within ${ms} ms`, { what, ms })), Math.max(0, ms));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
