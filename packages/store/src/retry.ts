import { setTimeout as sleep } from 'node:timers/promises';

export type RetryPolicy = {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
};

/**
 * Conflicts on one hot document resolve one writer per round, so the budget must cover the number of
 * concurrent writers; the jitter spreads them so that rounds do not collide again in lock-step.
 */
export const defaultConflictRetry: RetryPolicy = { maxAttempts: 40, baseDelayMs: 2, maxDelayMs: 100 };

/** Full-jitter exponential backoff: a random delay in [0, min(max, base·2^attempt)]. */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.random() * ceiling;
}

export function backoff(attempt: number, policy: RetryPolicy): Promise<void> {
  return sleep(backoffDelay(attempt, policy));
}

/** The HTTP status nano attaches to a failed request, if any. */
export function statusOf(error: unknown): number | undefined {
  if (error !== null && typeof error === 'object' && 'statusCode' in error) {
    const code = (error as { statusCode: unknown }).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

export const isConflict = (error: unknown): boolean => statusOf(error) === 409;
export const isNotFound = (error: unknown): boolean => statusOf(error) === 404;
