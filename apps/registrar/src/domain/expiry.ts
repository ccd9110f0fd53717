import { z } from 'zod';

export const expiryPolicySchema = z.object({
  /**
   * Seconds a binding outlives its Expires (Kazoo's ecallmgr adds 180): a phone refreshing a little late,
   * or a reg_success delayed in a queue, must not drop out of reg_query between two REGISTERs.
   */
  deviationSeconds: z.number().int().nonnegative(),
});
export type ExpiryPolicy = z.infer<typeof expiryPolicySchema>;

export interface Expiry {
  /** Seconds the REGISTER was granted, exactly as sent: randomised expiries stay spread. */
  expires: number;
  /** What reg_query_resp reports as Expires (granted + deviation, as ecallmgr reports it). */
  reportedExpires: number;
  /** Unix seconds after which the binding is stale. */
  expiresAt: number;
}

/**
 * Expiry counts from when the registrar received the reg_success, not from the peer's Event-Timestamp:
 * a peer with a skewed clock, or a message replayed from a queue, must not make a fresh binding look old.
 * Each binding keeps its own deadline, so phones that registered at random moments never expire together.
 */
export function computeExpiry(grantedSeconds: number, receivedAtUnix: number, policy: ExpiryPolicy): Expiry {
  const expires = Math.max(0, Math.floor(grantedSeconds));
  return { expires, reportedExpires: expires + policy.deviationSeconds, expiresAt: receivedAtUnix + expires + policy.deviationSeconds };
}

export const isLive = (binding: { expires_at: number }, nowUnix: number): boolean => binding.expires_at > nowUnix;

/** `Expires: 0` (RFC 3261) or Kamailio's `Status: Unregistered` remove a binding. */
export function isRemoval(msg: { Expires: number; Status?: string | undefined }): boolean {
  return msg.Expires <= 0 || msg.Status?.trim().toLowerCase() === 'unregistered';
}

/**
 * Bindings to evict so that, with the incoming one, an AOR keeps at most `max` contacts: the ones
 * refreshed longest ago go first.
 */
export function bindingsToEvict<B extends { id: string; last_registration: number; updated_ms: number }>(
  existing: B[],
  incomingId: string,
  max: number,
): B[] {
  const others = existing.filter((b) => b.id !== incomingId);
  const excess = others.length + 1 - max;
  if (excess <= 0) return [];
  return [...others].sort((a, b) => a.last_registration - b.last_registration || a.updated_ms - b.updated_ms).slice(0, excess);
}
