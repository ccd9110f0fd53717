import type { Logger } from 'pino';
import { FifeError } from '@fife/api';
import { ACCOUNTS_DB, accountDbName, type ChangesWatcher, type Store, type StoredDoc } from '@fife/store';
import { buildTopology, type Extension, type Topology } from '../domain/index.js';
import { EXTENSION_DESIGN, extensionDocSchema } from '../documents/extension-doc.js';

/** Everything the planner needs about one account, built once and reused until a document changes. */
export interface AccountTopology {
  accountId: string;
  realm: string;
  topology: Topology;
  /** stage-2 settings from the documents: users without call waiting, static targets */
  callWaiting: Record<string, boolean>;
  staticTargets: Record<string, string>;
  /** stored documents that could not be used, with the reason (they are left out of routing) */
  warnings: string[];
}

interface Entry {
  value: AccountTopology;
}

type ViewAnswer = { rows: { id: string; key: unknown; doc?: StoredDoc | null }[] };

/** How long the first request of an account waits for the changes feed before reading uncached. */
const WATCHER_START_WAIT_MS = 1000;

/**
 * Per-account topology cache kept correct by the account database's changes feed: any change in
 * that database (or a lost feed position) drops the account's entry, and a read that was in flight
 * while a change arrived is used once but not kept.
 */
export class TopologyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly generations = new Map<string, number>();
  private readonly unhooks = new Map<string, () => void>();
  /** reads in flight, joined only by requests that arrived under the same generation */
  private readonly loads = new Map<string, { generation: number; promise: Promise<AccountTopology> }>();
  private counters = { hits: 0, loads: 0, invalidations: 0 };
  private readonly offAccounts: () => void;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {
    // the realm (used for the lookups and user/ targets) lives in the account document
    this.offAccounts = store.watcher(ACCOUNTS_DB).onChange((id) => {
      if (this.unhooks.has(id)) this.invalidate(id);
    });
  }

  async get(accountId: string): Promise<AccountTopology> {
    const dbName = accountDbName(accountId);
    // Never follow the feed of a database that is not an account's (it would be retried forever).
    if (!this.unhooks.has(accountId)) await this.accountDoc(accountId);
    const watcher = await this.watch(accountId, dbName);
    const cached = this.entries.get(accountId);
    if (cached && watcher.live) {
      this.counters.hits++;
      return cached.value;
    }
    const generation = this.generations.get(accountId) ?? 0;
    const inFlight = this.loads.get(accountId);
    if (inFlight?.generation === generation) return inFlight.promise;
    const promise = this.load(accountId, dbName, watcher).finally(() => {
      if (this.loads.get(accountId)?.promise === promise) this.loads.delete(accountId);
    });
    this.loads.set(accountId, { generation, promise });
    return promise;
  }

  stats(): { hits: number; loads: number; invalidations: number; accounts: number } {
    return { ...this.counters, accounts: this.entries.size };
  }

  close(): void {
    this.offAccounts();
    for (const off of this.unhooks.values()) off();
    this.unhooks.clear();
    this.entries.clear();
  }

  private invalidate(accountId: string): void {
    this.counters.invalidations++;
    this.generations.set(accountId, (this.generations.get(accountId) ?? 0) + 1);
    this.entries.delete(accountId);
  }

  private async watch(accountId: string, dbName: string): Promise<ChangesWatcher> {
    const watcher = this.store.watcher(dbName);
    if (!this.unhooks.has(accountId)) {
      const offChange = watcher.onChange(() => this.invalidate(accountId));
      const offReset = watcher.onReset(() => this.invalidate(accountId));
      this.unhooks.set(accountId, () => {
        offChange();
        offReset();
      });
      await Promise.race([watcher.waitUntilLive(), new Promise((r) => setTimeout(r, WATCHER_START_WAIT_MS).unref())]);
    }
    return watcher;
  }

  private async accountDoc(accountId: string): Promise<StoredDoc> {
    const account = await this.store.getCached(ACCOUNTS_DB, accountId);
    if (!account) throw new FifeError('callgroup.no_account', `no account ${accountId}`, { accountId });
    return account;
  }

  private async load(accountId: string, dbName: string, watcher: ChangesWatcher): Promise<AccountTopology> {
    const generation = this.generations.get(accountId) ?? 0;
    this.counters.loads++;
    const account = await this.accountDoc(accountId);
    await this.store.prepareDb(dbName);
    const answer = (await this.store.db(dbName).view(EXTENSION_DESIGN, 'by_number', { include_docs: true })) as ViewAnswer;
    const value = { accountId, realm: String(account.realm ?? ''), ...fromDocuments(answer) };
    if (value.warnings.length > 0) this.log.warn({ accountId, warnings: value.warnings }, 'callgroup: documents left out of routing');
    if (watcher.tracking && (this.generations.get(accountId) ?? 0) === generation) this.entries.set(accountId, { value });
    return value;
  }
}

/** Validates each stored extension on its own: one bad document must not take a whole account down. */
function fromDocuments(answer: ViewAnswer): Omit<AccountTopology, 'accountId' | 'realm'> {
  const extensions: Extension[] = [];
  const seen = new Set<string>();
  const callWaiting: Record<string, boolean> = {};
  const staticTargets: Record<string, string> = {};
  const warnings: string[] = [];
  for (const row of answer.rows) {
    if (!row.doc) continue;
    const parsed = extensionDocSchema.safeParse(row.doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      warnings.push(`document ${row.id}: ${issue?.path.map(String).join('.') || '(document)'}: ${issue?.message ?? 'invalid'}`);
      continue;
    }
    const ext = parsed.data;
    if (seen.has(ext.ext)) {
      warnings.push(`document ${row.id}: ext: number ${ext.ext} is already used by another document`);
      continue;
    }
    seen.add(ext.ext);
    extensions.push(ext);
    if (!ext.call_waiting) callWaiting[ext.ext] = false;
    if (ext.static_target) staticTargets[ext.ext] = ext.static_target;
  }
  return { topology: buildTopology(extensions), callWaiting, staticTargets, warnings };
}
