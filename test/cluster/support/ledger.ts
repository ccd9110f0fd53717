/** Counts per key (user, or user|kind), with snapshots so a phase can be audited on its own. */
export class Ledger {
  private readonly counts = new Map<string, number>();

  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }

  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  /** Counts added since `since` (a snapshot). */
  since(since: Map<string, number>): Map<string, number> {
    const out = new Map<string, number>();
    for (const [k, n] of this.counts) if (n - (since.get(k) ?? 0) > 0) out.set(k, n - (since.get(k) ?? 0));
    return out;
  }
}

/**
 * What was published against what happened: keys published more often than they happened, or less.
 * `replayed` are re-sends marked as such (an ecallmgr taking a node over repeats its recent registration
 * events): they never count as published twice, and make up for what the live publishes missed, whatever
 * order the two arrived in.
 */
export function compareLedgers(happened: Map<string, number>, published: Map<string, number>, replayed: Map<string, number> = new Map()) {
  const fills = (k: string) => Math.min(replayed.get(k) ?? 0, Math.max(0, (happened.get(k) ?? 0) - (published.get(k) ?? 0)));
  const twice = [...published].filter(([k, n]) => n > (happened.get(k) ?? 0)).map(([k, n]) => `${k}: ${n} published for ${happened.get(k) ?? 0}`);
  const lost = [...happened].filter(([k, n]) => (published.get(k) ?? 0) + fills(k) < n).map(([k, n]) => `${k}: ${(published.get(k) ?? 0) + fills(k)} published for ${n}`);
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const filled = [...replayed.keys()].reduce((n, k) => n + fills(k), 0);
  return { happened: sum(happened), published: sum(published) + filled, twice, lost, replays: { filledGaps: filled, redundant: sum(replayed) - filled } };
}
