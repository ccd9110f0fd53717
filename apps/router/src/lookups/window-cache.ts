/**
 * Answers that hold over a window of call time: a calendar is `closed` from `At` until its `Until`, the
 * on-call set is the same until its `Until`. A later call inside the window gets the same answer without
 * asking the calendar whapp again.
 *
 * Kept only while the account's documents are unchanged (`version`: calendars and their feed copies
 * live in the account database, so any change there drops the entry), and never longer than `maxAgeMs`
 * of wall time (a remote feed the calendar whapp re-fetches may change without a document change).
 */
export interface WindowAnswer<T> {
  value: T;
  /** Call time the answer was given for. */
  from: number;
  /** Next transition (exclusive); undefined = none known, only maxAgeMs bounds it. */
  until?: number;
}

interface Entry<T> extends WindowAnswer<T> {
  storedAt: number;
  version: number;
}

export class WindowCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly wallClock: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached answer for call time `at`, if one covers it and is still current. */
  get(key: string, at: number, version: number | undefined): T | undefined {
    const entry = this.entries.get(key);
    if (!entry || version === undefined) return undefined;
    const fresh = entry.version === version && this.wallClock() - entry.storedAt < this.maxAgeMs;
    if (!fresh) {
      this.entries.delete(key);
      return undefined;
    }
    const inside = at >= entry.from && (entry.until === undefined || at < entry.until);
    return inside ? entry.value : undefined;
  }

  /** `version`: the account's document version read before the question was asked. */
  set(key: string, answer: WindowAnswer<T>, version: number | undefined): void {
    if (this.maxAgeMs <= 0 || version === undefined) return;
    if (answer.until !== undefined && answer.until <= answer.from) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { ...answer, storedAt: this.wallClock(), version });
  }
}
