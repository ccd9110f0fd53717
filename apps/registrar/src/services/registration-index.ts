import type { RegistrationRecord } from '../domain/registration.js';

interface Entry {
  record: RegistrationRecord;
  /** CouchDB revision of what is stored, when known (saves a conflict round on the next refresh). */
  rev: string | undefined;
  /** Local writes of this binding not yet confirmed by CouchDB. */
  pending: number;
}

/**
 * Every binding of every AOR, in memory, shared by reg_query, max-contacts eviction and the writer.
 * Local writes land here first (so a query sees a REGISTER before CouchDB does); other processes'
 * writes arrive through the changes feed. Of two versions of one binding the newer (`updated_ms`) wins,
 * and a binding removed here is not brought back by an older version read from the feed.
 */
export class RegistrationIndex {
  private readonly byId = new Map<string, Entry>();
  private readonly byAor = new Map<string, Set<string>>();
  /** Bindings removed locally, with when: an older copy arriving later must not resurrect them. */
  private readonly removed = new Map<string, number>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): RegistrationRecord | undefined {
    return this.byId.get(id)?.record;
  }

  rev(id: string): string | undefined {
    return this.byId.get(id)?.rev;
  }

  forAor(aor: string): RegistrationRecord[] {
    const ids = this.byAor.get(aor);
    if (!ids) return [];
    const out: RegistrationRecord[] = [];
    for (const id of ids) {
      const entry = this.byId.get(id);
      if (entry) out.push(entry.record);
    }
    return out;
  }

  *all(): IterableIterator<RegistrationRecord> {
    for (const entry of this.byId.values()) yield entry.record;
  }

  /**
   * A binding written by this process; `confirm` follows once CouchDB has it. False (nothing to write)
   * when a newer version is already held: reg_success handled concurrently may finish out of order.
   */
  putLocal(record: RegistrationRecord): boolean {
    const current = this.byId.get(record.id);
    if (current && current.record.updated_ms > record.updated_ms) return false;
    const removedAt = this.removed.get(record.id);
    if (removedAt !== undefined && removedAt > record.updated_ms) return false;
    this.removed.delete(record.id);
    this.set(record, current?.rev, (current?.pending ?? 0) + 1);
    return true;
  }

  removeLocal(id: string, atMs: number): void {
    this.removed.set(id, atMs);
    this.delete(id);
  }

  /** CouchDB stored our write (or decided against it: then `rev` is undefined and the feed tells the rest). */
  confirm(id: string, rev: string | undefined): void {
    const entry = this.byId.get(id);
    if (entry) {
      entry.pending = Math.max(0, entry.pending - 1);
      if (rev) entry.rev = rev;
    }
  }

  /** A local removal was written: forget the tombstone once no older copy can still be in flight. */
  confirmRemoval(id: string, atMs: number): void {
    if (this.removed.get(id) === atMs) this.removed.delete(id);
  }

  /** A version read from CouchDB (start-up load or another process's write seen on the feed). */
  applyStored(record: RegistrationRecord, rev: string | undefined): void {
    const removedAt = this.removed.get(record.id);
    if (removedAt !== undefined && removedAt >= record.updated_ms) return;
    const current = this.byId.get(record.id);
    if (current && current.record.updated_ms > record.updated_ms) return;
    this.set(record, rev, current?.pending ?? 0);
  }

  /** CouchDB says the binding is gone (unregistered or swept elsewhere); a newer local write in flight wins. */
  removeStored(id: string): void {
    const entry = this.byId.get(id);
    if (entry && entry.pending > 0) return;
    this.delete(id);
  }

  /** Ids held here that are not in `stored` and have no local write in flight (after a full reload). */
  staleIds(stored: Set<string>): string[] {
    const out: string[] = [];
    for (const [id, entry] of this.byId) if (!stored.has(id) && entry.pending === 0) out.push(id);
    return out;
  }

  private set(record: RegistrationRecord, rev: string | undefined, pending: number): void {
    const previous = this.byId.get(record.id);
    if (previous && previous.record.aor !== record.aor) this.unlinkAor(previous.record.aor, record.id);
    this.byId.set(record.id, { record, rev, pending });
    let ids = this.byAor.get(record.aor);
    if (!ids) this.byAor.set(record.aor, (ids = new Set()));
    ids.add(record.id);
  }

  private delete(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    this.unlinkAor(entry.record.aor, id);
  }

  private unlinkAor(aor: string, id: string): void {
    const ids = this.byAor.get(aor);
    ids?.delete(id);
    if (ids && ids.size === 0) this.byAor.delete(aor);
  }
}
