import type { Logger } from 'pino';
import { REGISTRATIONS_DB, type Change, type ChangesWatcher, type Store } from '@fife/store';
import type { RegistrationIndex } from '../services/registration-index.js';
import { recordOf } from './registration-docs.js';

const PAGE = 2000;
/** Changes seen on the feed are fetched together, one `_all_docs` request per this many ms. */
const FETCH_DELAY_MS = 15;

type AllDocs = { rows: Array<{ id: string; key: string; value?: { rev: string; deleted?: boolean }; doc?: unknown }> };

/**
 * Keeps the in-memory index equal to the `registrations` database: loaded at start, then every change
 * another process makes arrives through the changes feed (our own writes are recognised by revision).
 * After a feed outage the whole database is re-read, so nothing missed during the gap survives.
 */
export class RegistrationSync {
  private watcher?: ChangesWatcher;
  /** Changed ids with the revision the feed announced (undefined for unknown). */
  private readonly toFetch = new Map<string, string | undefined>();
  private fetchTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private wasDown = false;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly index: RegistrationIndex,
    private readonly log: Logger,
  ) {}

  async start(): Promise<number> {
    const watcher = this.store.watcher(REGISTRATIONS_DB);
    this.watcher = watcher;
    this.unsubscribe.push(
      watcher.onChange((id, change) => this.onChange(id, change)),
      watcher.onReset(() => (this.wasDown = true)),
      watcher.onLive(() => {
        if (!this.wasDown) return;
        this.wasDown = false;
        void this.load().catch((err) => this.log.warn({ err }, 'registrar: reloading registrations after a feed outage failed'));
      }),
    );
    await watcher.start();
    return this.load();
  }

  get live(): boolean {
    return this.watcher?.live ?? false;
  }

  /** Reads every binding (paged) into the index; returns how many there are. */
  async load(): Promise<number> {
    const db = this.store.db(REGISTRATIONS_DB);
    const seen = new Set<string>();
    let startkey: string | undefined;
    for (;;) {
      const page = (await db.list({ include_docs: true, limit: PAGE + 1, ...(startkey ? { startkey } : {}) })) as unknown as AllDocs;
      const rows = page.rows.slice(0, PAGE);
      for (const row of rows) {
        const record = recordOf(row.doc);
        if (!record) continue;
        seen.add(record.id);
        this.index.applyStored(record, row.value?.rev);
      }
      if (page.rows.length <= PAGE) break;
      startkey = page.rows[PAGE]!.id;
    }
    for (const id of this.index.staleIds(seen)) this.index.removeStored(id);
    return seen.size;
  }

  private onChange(id: string, change: Change): void {
    if (id.startsWith('_design/')) return;
    if (change.deleted) {
      this.index.removeStored(id);
      return;
    }
    const rev = change.changes?.[0]?.rev;
    if (rev && this.index.rev(id) === rev) return; // our own write
    this.toFetch.set(id, rev);
    this.fetchTimer ??= setTimeout(() => void this.fetchChanged(), FETCH_DELAY_MS);
  }

  private async fetchChanged(): Promise<void> {
    this.fetchTimer = undefined;
    if (this.stopped) return;
    // Our own writes often show up on the feed before their _bulk_docs answer: by now their revision is known.
    const ids = [...this.toFetch].filter(([id, rev]) => !rev || this.index.rev(id) !== rev).map(([id]) => id);
    this.toFetch.clear();
    if (ids.length === 0) return;
    try {
      const answer = (await this.store.db(REGISTRATIONS_DB).fetch({ keys: ids })) as unknown as AllDocs;
      for (const row of answer.rows) {
        if (row.value?.deleted) {
          this.index.removeStored(row.key);
          continue;
        }
        const record = recordOf(row.doc);
        if (record) this.index.applyStored(record, row.value?.rev);
      }
    } catch (err) {
      // The feed will be reported down too; the reload after it comes back covers these ids.
      this.log.warn({ err, ids: ids.length }, 'registrar: could not fetch changed registrations');
      this.wasDown = true;
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.fetchTimer);
    for (const off of this.unsubscribe) off();
  }
}
