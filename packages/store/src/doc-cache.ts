import type { DocumentScope } from 'nano';
import type { ChangesWatcher } from './changes-watcher.js';
import type { StoredDoc } from './documents/registry.js';
import { isNotFound, statusOf } from './retry.js';

export type DocCacheOptions = { maxEntries?: number };
export type DocCacheStats = { hits: number; misses: number; staleServed: number; invalidations: number; resets: number; size: number };

type Pending = { stale: boolean };
type ViewParams = Record<string, unknown>;

/**
 * Read-through cache of one database's documents and view answers, kept correct by a ChangesWatcher:
 * a change to a document drops that document and every cached view answer. Absent documents are cached
 * too (an unknown SIP user asks again and again).
 *
 * While the watcher is disconnected, reads go to the server again (changes may be waiting to be seen);
 * if the server cannot be reached either, the last known answer is served ("stale if error"), so a
 * CouchDB blip does not stop calls. Entries survive a disconnection because the watcher resumes from
 * its last sequence; they are all dropped when it loses its position (`onReset`).
 */
export class DocCache {
  private readonly db: DocumentScope<any>;
  private readonly watcher: ChangesWatcher;
  private readonly maxEntries: number;
  private readonly docs = new Map<string, StoredDoc | null>();
  private readonly views = new Map<string, unknown>();
  private readonly pendingDocs = new Map<string, Pending[]>();
  private pendingViews: Pending[] = [];
  private readonly counters = { hits: 0, misses: 0, staleServed: 0, invalidations: 0, resets: 0 };
  private readonly unsubscribe: (() => void)[];

  constructor(db: DocumentScope<any>, watcher: ChangesWatcher, options: DocCacheOptions = {}) {
    this.db = db;
    this.watcher = watcher;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.unsubscribe = [watcher.onChange((id) => this.invalidate(id)), watcher.onReset(() => this.clear())];
  }

  /** The document, or undefined when it does not exist. The caller gets its own copy. */
  async get<D extends StoredDoc = StoredDoc>(id: string): Promise<D | undefined> {
    if (this.watcher.live && this.docs.has(id)) {
      this.counters.hits++;
      const cached = this.touch(this.docs, id);
      return cached === null ? undefined : (structuredClone(cached) as D);
    }
    this.counters.misses++;
    const pending = this.trackDoc(id);
    try {
      const doc = await this.remember(this.docs, id, pending, () => this.fetchDoc(id));
      return doc === null ? undefined : (structuredClone(doc) as D);
    } catch (error) {
      const fallback = this.staleIfUnreachable(this.docs, id, error);
      return fallback === null ? undefined : (structuredClone(fallback) as D);
    } finally {
      this.untrackDoc(id, pending);
    }
  }

  /** A view query answered from the cache while no document of the database has changed since. */
  async view<R = unknown>(design: string, view: string, params: ViewParams = {}): Promise<R> {
    const key = JSON.stringify([design, view, params]);
    if (this.watcher.live && this.views.has(key)) {
      this.counters.hits++;
      return structuredClone(this.touch(this.views, key)) as R;
    }
    this.counters.misses++;
    const pending = this.newPending();
    this.pendingViews.push(pending);
    try {
      const answer = await this.remember(this.views, key, pending, () => this.db.view(design, view, params));
      return structuredClone(answer) as R;
    } catch (error) {
      return structuredClone(this.staleIfUnreachable(this.views, key, error)) as R;
    } finally {
      this.pendingViews = this.pendingViews.filter((p) => p !== pending);
    }
  }

  invalidate(id: string): void {
    this.counters.invalidations++;
    this.docs.delete(id);
    for (const pending of this.pendingDocs.get(id) ?? []) pending.stale = true;
    this.views.clear();
    for (const pending of this.pendingViews) pending.stale = true;
  }

  clear(): void {
    this.counters.resets++;
    this.docs.clear();
    this.views.clear();
    for (const list of this.pendingDocs.values()) for (const pending of list) pending.stale = true;
    for (const pending of this.pendingViews) pending.stale = true;
  }

  stats(): DocCacheStats {
    return { ...this.counters, size: this.docs.size + this.views.size };
  }

  close(): void {
    for (const off of this.unsubscribe) off();
    this.clear();
  }

  /** A read in flight; a change or reset arriving before it completes marks it stale. */
  private newPending(): Pending {
    return { stale: !this.watcher.tracking };
  }

  /** The last known answer when the server is unreachable (no HTTP status, or a 5xx); else rethrows. */
  private staleIfUnreachable<V>(store: Map<string, V>, key: string, error: unknown): V {
    const status = statusOf(error);
    const unreachable = status === undefined || status >= 500;
    if (!unreachable || !store.has(key)) throw error;
    this.counters.staleServed++;
    return this.touch(store, key);
  }

  private trackDoc(id: string): Pending {
    const pending = this.newPending();
    const list = this.pendingDocs.get(id);
    if (list) list.push(pending);
    else this.pendingDocs.set(id, [pending]);
    return pending;
  }

  private untrackDoc(id: string, pending: Pending): void {
    const rest = (this.pendingDocs.get(id) ?? []).filter((p) => p !== pending);
    if (rest.length > 0) this.pendingDocs.set(id, rest);
    else this.pendingDocs.delete(id);
  }

  private async fetchDoc(id: string): Promise<StoredDoc | null> {
    try {
      return (await this.db.get(id)) as StoredDoc;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /**
   * Reads through and stores the answer only if its invalidation is guaranteed: the watcher held one
   * unbroken feed position throughout (same epoch) and no change for this entry arrived meanwhile.
   */
  private async remember<V>(store: Map<string, V>, key: string, pending: Pending, read: () => Promise<V>): Promise<V> {
    const epoch = this.watcher.epoch;
    const value = await read();
    if (!pending.stale && this.watcher.tracking && this.watcher.epoch === epoch) this.store(store, key, value);
    return value;
  }

  private store<V>(store: Map<string, V>, key: string, value: V): void {
    store.delete(key);
    store.set(key, value);
    // Maps iterate in insertion order, so the first key is the least recently used one.
    while (this.docs.size + this.views.size > this.maxEntries) {
      const oldest = store.keys().next();
      if (oldest.done) break;
      store.delete(oldest.value);
    }
  }

  private touch<V>(store: Map<string, V>, key: string): V {
    const value = store.get(key) as V;
    store.delete(key);
    store.set(key, value);
    return value;
  }
}
