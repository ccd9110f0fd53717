import { aorKey } from '@fife/store';
import type { Contact } from '../domain/lookups.js';

interface Entry {
  contacts: Contact[];
  validUntil: number;
}

/**
 * The registrar's answers to reg_query, kept per AOR until something says they changed.
 *
 * Every registration, refresh and unregistration is a `reg_success` on the bus (ecallmgr, Kamailio),
 * which drops that AOR's entry; `reg_flush` drops a user or a realm; a lost bus connection drops all
 * (events may have been missed). The one change without an event, a contact expiring at the registrar
 * because its phone went silent, is covered by keeping an entry no longer than its earliest contact
 * expiry. An answer to a question asked less than `quietMs` after an event for the same AOR is not
 * kept: the registrar may not have applied that event yet.
 */
export class ContactsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly events = new Map<string, number>();
  private lastFlush = -Infinity;

  constructor(
    private readonly ttlMs: number,
    private readonly quietMs = 1_000,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 50_000,
  ) {}

  get(realm: string, username: string): Contact[] | undefined {
    const key = aorKey(username, realm);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.validUntil > this.now()) return entry.contacts;
    this.entries.delete(key);
    return undefined;
  }

  /**
   * `askedAt`: when the reg_query went out. `expiresAt`: the earliest expiry (epoch ms) of the
   * answered contacts, when the registrar said.
   */
  set(realm: string, username: string, contacts: Contact[], askedAt: number, expiresAt?: number): void {
    if (this.ttlMs <= 0) return;
    const key = aorKey(username, realm);
    const since = askedAt - this.quietMs;
    if ((this.events.get(key) ?? -Infinity) >= since || this.lastFlush >= since) return;
    const validUntil = Math.min(this.now() + this.ttlMs, expiresAt ?? Infinity);
    if (validUntil <= this.now()) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { contacts, validUntil });
  }

  /** reg_success (register, refresh or unregister) or reg_flush of one user. */
  changed(realm: string, username: string): void {
    const key = aorKey(username, realm);
    this.entries.delete(key);
    this.events.set(key, this.now());
    this.pruneEvents();
  }

  /** reg_flush of a realm, or the event stream itself was interrupted. */
  clear(): void {
    this.entries.clear();
    this.lastFlush = this.now();
  }

  /** Event times only matter for `quietMs`; older ones are forgotten so the map stays small. */
  private pruneEvents(): void {
    if (this.events.size < 1_000) return;
    const horizon = this.now() - this.quietMs;
    for (const [key, at] of this.events) if (at < horizon) this.events.delete(key);
  }
}
