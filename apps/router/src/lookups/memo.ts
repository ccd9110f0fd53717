/** What a memo needs of a database's changes feed (the store's ChangesWatcher). */
export interface FeedSignals {
  readonly live: boolean;
  readonly tracking: boolean;
  onChange(hook: (id: string) => void): () => void;
  onReset(hook: () => void): () => void;
}

/**
 * Parsed answers derived from one database, dropped whenever any document of it changes.
 *
 * The store's DocCache already keeps raw documents and views, but hands out a deep copy per read and
 * the router then validates it again: per route that was the largest share of the router's own CPU.
 * Here the parsed value itself is kept (callers must not mutate it). An answer is stored only when
 * no change arrived while it was being read, and served only while the feed is connected, so it is
 * never older than what the DocCache would have returned.
 */
export class ChangeFedMemo {
  private readonly values = new Map<string, unknown>();
  private generation = 0;
  private readonly off: Array<() => void>;

  constructor(
    private readonly feed: FeedSignals,
    private readonly maxEntries = 5_000,
  ) {
    const drop = () => {
      this.generation++;
      this.values.clear();
    };
    this.off = [feed.onChange(drop), feed.onReset(drop)];
  }

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.feed.live && this.values.has(key)) return this.values.get(key) as T;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation && this.feed.tracking) {
      if (this.values.size >= this.maxEntries) this.values.clear();
      this.values.set(key, value);
    }
    return value;
  }

  /**
   * Bumped by every change to the database: what was derived at one version is current while the
   * version is the same. Undefined while the feed is disconnected (changes may be waiting unseen).
   */
  get version(): number | undefined {
    return this.feed.live ? this.generation : undefined;
  }

  close(): void {
    for (const off of this.off) off();
    this.values.clear();
  }
}
