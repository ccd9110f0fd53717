import type { Logger } from 'pino';
import { ACCOUNTS_DB, accountDbName, isNotFound, userDocSchema, type ChangesWatcher, type Store } from '@fife/store';
import type { AccountEntry, DeviceEntry } from '../domain/directory.js';
import { ipKey, realmKey } from '../domain/realm.js';
import { accountEntryFromDoc, deviceEntryFromDoc } from './entries.js';
import { storeUnavailable, withTimeout } from './timeout.js';

type Rows = { rows: Array<{ id: string; key: unknown; doc?: unknown }> };

/**
 * Negative answers are cached too, so a scan of random realms or usernames would grow the maps without
 * end: past this size a map starts over (the feed-driven correctness does not depend on what is kept).
 */
const MAX_ENTRIES = 50_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_ENTRIES && !map.has(key)) map.clear();
  map.set(key, value);
}

/** What is cached for one account database; `generation` moves on every change seen in that database. */
interface AccountDevices {
  generation: number;
  byUser: Map<string, DeviceEntry | null>;
  /** All IP-authenticated devices by canonical address, loaded as a whole (null = not loaded). */
  byIp: Map<string, DeviceEntry> | null;
  /** Whether each owner (user document) is enabled; null = no such user. */
  owners: Map<string, boolean | null>;
  watcher: ChangesWatcher;
}

export interface CredentialDirectoryOptions {
  /** A CouchDB read slower than this counts as CouchDB being down. */
  readTimeoutMs: number;
}

/**
 * View keys travel in the request URL: CouchDB refuses a huge one (431), which must read as "no such
 * realm/user", not as CouchDB being down. No SIP realm or username comes near this length.
 */
const MAX_LOOKUP_KEY = 1024;

/**
 * Accounts by realm and devices by SIP username / source address, read from CouchDB and cached in
 * memory. Every cached answer (negative ones too) is dropped as soon as the changes feed of its database
 * reports a change, so an edited password applies on every process within the feed's latency.
 * While CouchDB is unreachable, cached answers keep being served (its feed catches up on the changes
 * it missed when it comes back); only a miss then fails with `registrar.store_unavailable`.
 */
export class CredentialDirectory {
  private readonly realms = new Map<string, AccountEntry | null>();
  private realmGeneration = 0;
  private readonly accounts = new Map<string, AccountDevices>();
  private readonly unsubscribe: Array<() => void> = [];
  private accountsWatcher?: ChangesWatcher;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly options: CredentialDirectoryOptions,
  ) {}

  async start(): Promise<void> {
    const watcher = this.store.watcher(ACCOUNTS_DB);
    this.accountsWatcher = watcher;
    this.unsubscribe.push(
      watcher.onChange(() => {
        // An account change can move a realm or disable the account: realm answers are all re-read.
        this.realmGeneration++;
        this.realms.clear();
      }),
    );
    await watcher.start();
  }

  get live(): boolean {
    return this.accountsWatcher?.live ?? false;
  }

  /** Loads every account and its devices, so the first REGISTER after a start is answered from memory. */
  async prime(): Promise<{ accounts: number; devices: number }> {
    const generation = this.realmGeneration;
    const answer = (await this.store.db(ACCOUNTS_DB).view('accounts', 'by_realm', { include_docs: true })) as Rows;
    let devices = 0;
    for (const row of answer.rows) {
      const account = accountEntryFromDoc(row.doc);
      if (!account) continue;
      if (generation === this.realmGeneration) this.realms.set(realmKey(account.realm), account);
      devices += await this.primeDevices(account.id).catch((err) => {
        this.log.warn({ err, accountId: account.id }, 'registrar: could not prime the devices of an account');
        return 0;
      });
    }
    return { accounts: answer.rows.length, devices };
  }

  private async primeDevices(accountId: string): Promise<number> {
    const cache = this.devicesOf(accountId);
    await this.followed(cache);
    const generation = cache.generation;
    const answer = (await this.store.db(accountDbName(accountId)).view('devices', 'by_sip_username', { include_docs: true })) as Rows;
    if (generation !== cache.generation || !cache.watcher.live) return 0;
    for (const row of answer.rows) {
      const device = deviceEntryFromDoc(row.doc);
      if (device && !cache.byUser.has(String(row.key))) cache.byUser.set(String(row.key), device);
    }
    return answer.rows.length;
  }

  /** The account owning a realm (case-insensitively), or undefined. */
  async account(realm: string): Promise<AccountEntry | undefined> {
    const key = realmKey(realm);
    if (key.length > MAX_LOOKUP_KEY) return undefined;
    const cached = this.realms.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const generation = this.realmGeneration;
    const answer = await this.read(`account lookup for realm ${key}`, () =>
      this.store.db(ACCOUNTS_DB).view('accounts', 'by_realm', { key, include_docs: true }) as Promise<Rows>,
    );
    const account = answer.rows.map((r) => accountEntryFromDoc(r.doc)).find((a) => a !== undefined);
    if (generation === this.realmGeneration && this.accountsWatcher?.live) remember(this.realms, key, account ?? null);
    return account;
  }

  /** Whether the user `userId` of an account is enabled (undefined when there is no such user). */
  async userEnabled(accountId: string, userId: string): Promise<boolean | undefined> {
    const cache = this.devicesOf(accountId);
    const cached = cache.owners.get(userId);
    if (cached !== undefined) return cached ?? undefined;
    await this.followed(cache);
    const generation = cache.generation;
    const doc = await this.read(`owner ${userId} in account ${accountId}`, () =>
      this.store.db(accountDbName(accountId)).get(userId).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      }),
    );
    const parsed = userDocSchema.safeParse(doc);
    const enabled = parsed.success ? parsed.data.enabled : null;
    if (generation === cache.generation && cache.watcher.live) remember(cache.owners, userId, enabled);
    return enabled ?? undefined;
  }

  /** What the cache holds for a realm, without any I/O (undefined when unknown or not cached). */
  peekAccount(realm: string): AccountEntry | undefined {
    return this.realms.get(realmKey(realm)) ?? undefined;
  }

  /** What the cache holds for a device, without any I/O. */
  peekDevice(accountId: string, username: string): DeviceEntry | undefined {
    return this.accounts.get(accountId)?.byUser.get(username.toLowerCase()) ?? undefined;
  }

  /** The device of an account whose SIP username is `username` (case-insensitively), or undefined. */
  async device(accountId: string, username: string): Promise<DeviceEntry | undefined> {
    const key = username.toLowerCase();
    if (key.length > MAX_LOOKUP_KEY) return undefined;
    const cache = this.devicesOf(accountId);
    const cached = cache.byUser.get(key);
    if (cached !== undefined) return cached ?? undefined;
    await this.followed(cache);
    const generation = cache.generation;
    const answer = await this.read(`device lookup for ${key} in account ${accountId}`, () =>
      this.store.db(accountDbName(accountId)).view('devices', 'by_sip_username', { key, include_docs: true }) as Promise<Rows>,
    );
    const device = answer.rows.map((r) => deviceEntryFromDoc(r.doc)).find((d) => d !== undefined);
    if (generation === cache.generation && cache.watcher.live) remember(cache.byUser, key, device ?? null);
    return device;
  }

  /** The IP-authenticated device of an account trusted from `ip`, or undefined. */
  async ipDevice(accountId: string, ip: string): Promise<DeviceEntry | undefined> {
    const cache = this.devicesOf(accountId);
    if (!cache.byIp) {
      await this.followed(cache);
      const generation = cache.generation;
      // All of them at once: addresses are compared in canonical form, which a view key cannot do.
      const answer = await this.read(`IP device lookup in account ${accountId}`, () =>
        this.store.db(accountDbName(accountId)).view('devices', 'by_ip', { include_docs: true }) as Promise<Rows>,
      );
      const byIp = new Map<string, DeviceEntry>();
      for (const row of answer.rows) {
        const device = deviceEntryFromDoc(row.doc);
        if (device?.ip) byIp.set(ipKey(device.ip), device);
      }
      if (generation !== cache.generation || !cache.watcher.live) return byIp.get(ipKey(ip));
      cache.byIp = byIp;
    }
    return cache.byIp.get(ipKey(ip));
  }

  /** The cache of an account database, following its changes feed from the first use on. */
  private devicesOf(accountId: string): AccountDevices {
    let cache = this.accounts.get(accountId);
    if (!cache) {
      const watcher = this.store.watcher(accountDbName(accountId));
      const created: AccountDevices = { generation: 0, byUser: new Map(), byIp: null, owners: new Map(), watcher };
      this.unsubscribe.push(
        watcher.onChange(() => {
          created.generation++;
          created.byUser.clear();
          created.byIp = null;
          created.owners.clear();
        }),
      );
      this.accounts.set(accountId, created);
      cache = created;
    }
    return cache;
  }

  /**
   * Before reading from CouchDB: until the feed is followed, a read could miss a change, so wait for it
   * (briefly: if it stays down the read is not cached anyway). Cached answers never wait for this.
   */
  private async followed(cache: AccountDevices): Promise<void> {
    if (!cache.watcher.live) await withTimeout(cache.watcher.waitUntilLive(), this.options.readTimeoutMs, 'feed').catch(() => undefined);
  }

  private async read<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(work(), this.options.readTimeoutMs, what);
    } catch (err) {
      throw storeUnavailable(what, err);
    }
  }

  /**
   * reg_flush: forget what is cached for a realm (or one user of it). The changes feed already keeps the
   * cache right; this serves operators and peers that expect Kazoo's "flush" to force a re-read.
   */
  flush(realm: string, username?: string): void {
    const account = this.realms.get(realmKey(realm));
    this.realmGeneration++;
    this.realms.delete(realmKey(realm));
    if (!account) return;
    const cache = this.accounts.get(account.id);
    if (!cache) return;
    cache.generation++;
    if (username) cache.byUser.delete(username.toLowerCase());
    else cache.byUser.clear();
    cache.byIp = null;
    cache.owners.clear();
  }

  stats(): { realms: number; accounts: number; devices: number } {
    let devices = 0;
    for (const a of this.accounts.values()) devices += a.byUser.size;
    return { realms: this.realms.size, accounts: this.accounts.size, devices };
  }

  close(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe.length = 0;
  }
}
