import nano, { type DocumentScope, type ServerScope } from 'nano';
import { ACCOUNTS_DB, REGISTRATIONS_DB } from './db-names.js';
import { prepareDatabase, type PreparedDatabase } from './databases.js';
import { ChangesWatcher, type ChangesWatcherOptions } from './changes-watcher.js';
import { DocCache, type DocCacheOptions } from './doc-cache.js';
import { defaultDataDir, startEmbeddedCouch, type EmbeddedCouch } from './embedded-couch.js';
import type { StoredDoc } from './documents/registry.js';
import { upsert, type Mutate, type UpsertOptions, type UpsertResult } from './upsert.js';
import { createAccount, createDevice } from './provisioning.js';

export type StoreOptions = {
  /** CouchDB to use; defaults to the COUCH_URL environment variable, else an embedded server is started. */
  couchUrl?: string;
  /** Data folder of the embedded server (default $FIFE_COUCH_DIR or ./.fife/couch). */
  dataDir?: string;
  /** Port of the embedded server (default: a free one). */
  port?: number;
  /** Create `accounts` and `registrations` and sync their design documents on open (default true). */
  prepare?: boolean;
  viewsDir?: string;
  watcher?: ChangesWatcherOptions;
  cache?: DocCacheOptions;
};

/**
 * One process's handle on CouchDB: the nano server scope, databases prepared on first use, one changes
 * watcher and one cache per database (shared by all callers), and the embedded server if it started one.
 */
export class Store {
  readonly url: string;
  readonly server: ServerScope;
  readonly embedded: EmbeddedCouch | undefined;
  private readonly options: StoreOptions;
  private readonly prepared = new Map<string, Promise<PreparedDatabase>>();
  private readonly watchers = new Map<string, ChangesWatcher>();
  private readonly caches = new Map<string, DocCache>();

  constructor(url: string, embedded: EmbeddedCouch | undefined, options: StoreOptions = {}) {
    this.url = url;
    this.embedded = embedded;
    this.options = options;
    this.server = nano(url);
  }

  db<D = any>(dbName: string): DocumentScope<D> {
    return this.server.use<D>(dbName);
  }

  /** Creates the database and syncs its design documents, once per Store (later calls reuse the result). */
  prepareDb(dbName: string): Promise<PreparedDatabase> {
    let prepared = this.prepared.get(dbName);
    if (!prepared) {
      prepared = prepareDatabase(this.server, dbName, { viewsDir: this.options.viewsDir });
      prepared.catch(() => this.prepared.delete(dbName));
      this.prepared.set(dbName, prepared);
    }
    return prepared;
  }

  /** The shared watcher of a database's changes feed, started on first request. */
  watcher(dbName: string): ChangesWatcher {
    let watcher = this.watchers.get(dbName);
    if (!watcher) {
      watcher = new ChangesWatcher(this.server, dbName, this.options.watcher);
      this.watchers.set(dbName, watcher);
      void watcher.start();
    }
    return watcher;
  }

  /** The shared cache of a database; it serves from memory once its watcher is live. */
  cache(dbName: string): DocCache {
    let cache = this.caches.get(dbName);
    if (!cache) {
      cache = new DocCache(this.db(dbName), this.watcher(dbName), this.options.cache);
      this.caches.set(dbName, cache);
    }
    return cache;
  }

  /** A document through the database's cache; undefined when it does not exist. */
  getCached<D extends StoredDoc = StoredDoc>(dbName: string, id: string): Promise<D | undefined> {
    return this.cache(dbName).get<D>(id);
  }

  /** `upsert` that also drops this process's cached copy at once (read-your-writes, ahead of the feed). */
  async upsert<D extends StoredDoc>(dbName: string, id: string, mutate: Mutate<D>, options?: UpsertOptions): Promise<UpsertResult<D>> {
    const result = await upsert(this.db(dbName), id, mutate, options);
    if (result.written) this.caches.get(dbName)?.invalidate(id);
    return result;
  }

  createAccount(input: Parameters<typeof createAccount>[1]): Promise<string> {
    return createAccount(this.server, input);
  }

  createDevice(accountId: string, input: Parameters<typeof createDevice>[2]): Promise<string> {
    return createDevice(this.server, accountId, input);
  }

  /** Stops the watchers and, if this Store started it, the embedded server. */
  async close(): Promise<void> {
    for (const cache of this.caches.values()) cache.close();
    await Promise.all([...this.watchers.values()].map((w) => w.stop()));
    this.caches.clear();
    this.watchers.clear();
    await this.embedded?.stop();
  }
}

/** Connects to COUCH_URL (or `couchUrl`), or starts the embedded server when neither is given. */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const couchUrl = options.couchUrl ?? process.env.COUCH_URL;
  const embedded = couchUrl ? undefined : await startEmbeddedCouch({ dataDir: options.dataDir ?? defaultDataDir(), port: options.port });
  const store = new Store(couchUrl ?? embedded!.url, embedded, options);
  try {
    if (options.prepare ?? true) {
      await store.prepareDb(ACCOUNTS_DB);
      await store.prepareDb(REGISTRATIONS_DB);
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
