import type { Logger } from 'pino';
import type { Bus } from '@fife/bus';
import type { Store } from '@fife/store';
import type { CalendarStatus, RouterLookups } from '../domain/lookups.js';
import { AmqpAsk, type AmqpTimeouts } from './amqp.js';
import { Budget, withDeadline } from './budget.js';
import { ContactsCache } from './contacts-cache.js';
import { NumberIndex } from './number-index.js';
import { StoreReads } from './store.js';
import { WindowCache } from './window-cache.js';

export { AmqpAsk, type AmqpTimeouts } from './amqp.js';
export { Budget, withDeadline } from './budget.js';
export { StoreReads, contactUri } from './store.js';

export interface LookupCaches {
  /** Longest reuse of a reg_query answer (0 = off). */
  regCacheMs: number;
  /** Longest reuse of a calendar status / on-call answer inside its window (0 = off). */
  calendarCacheMs: number;
}

/** How long each lookup took and whether a cache answered it (for the lookup-time histogram). */
export type LookupObserver = (lookup: string, seconds: number, source: 'cache' | 'asked') => void;

export interface LookupDeps {
  bus: Bus;
  store: Store;
  log: Logger;
  timeouts: AmqpTimeouts & { storeMs: number };
  caches?: LookupCaches;
  observe?: LookupObserver;
}

/** Shared per process: the adapters and their caches; `forRequest` binds them to one request's budget. */
export class RouterLookupFactory {
  readonly reads: StoreReads;
  readonly ask: AmqpAsk;
  readonly contacts: ContactsCache;
  readonly calendars: WindowCache<CalendarStatus>;
  readonly oncalls: WindowCache<{ userIds: string[] }>;
  /** DID → account, for calls that come without one. */
  readonly numbers: NumberIndex;
  constructor(private readonly deps: LookupDeps) {
    this.reads = new StoreReads(deps.store, deps.log);
    this.numbers = new NumberIndex(deps.store, this.reads, deps.log);
    this.ask = new AmqpAsk(deps.bus, deps.timeouts);
    this.contacts = new ContactsCache(deps.caches?.regCacheMs ?? 0);
    this.calendars = new WindowCache(deps.caches?.calendarCacheMs ?? 0);
    this.oncalls = new WindowCache(deps.caches?.calendarCacheMs ?? 0);
  }

  private timed<T>(lookup: string, work: () => Promise<T>, source: 'cache' | 'asked' = 'asked'): Promise<T> {
    const observe = this.deps.observe;
    if (!observe) return work();
    const started = performance.now();
    return work().finally(() => observe(lookup, (performance.now() - started) / 1000, source));
  }

  /**
   * A calendar answer (status, on-call set) reused for call times inside its window while the account's
   * documents are unchanged. The account's version is read before asking, so an answer given meanwhile
   * is not kept.
   */
  private windowed<T>(
    lookup: string,
    cache: WindowCache<T>,
    accountId: string,
    calendarId: string,
    at: Date,
    askFor: () => Promise<{ value: T; until?: number }>,
  ): Promise<T> {
    const key = `${accountId}/${calendarId}`;
    const version = this.reads.accountMemo(accountId)?.version;
    const cached = cache.get(key, at.getTime(), version);
    if (cached) return this.timed(lookup, async () => cached, 'cache');
    return this.timed(lookup, async () => {
      const { value, until } = await askFor();
      cache.set(key, { value, from: at.getTime(), ...(until !== undefined ? { until } : {}) }, version);
      return value;
    });
  }

  forRequest(budget: Budget): RouterLookups {
    const { reads, ask, contacts, calendars, oncalls } = this;
    const storeMs = this.deps.timeouts.storeMs;
    // CouchDB reads are cached; the bound only matters when the database is slow or away.
    const bounded = <T>(what: string, work: () => Promise<T>): Promise<T> =>
      this.timed(what, () => withDeadline(work(), budget.timeoutFor(storeMs, what), what));
    return {
      account: (id) => bounded('account', () => reads.account(id)),
      callflows: (id, numbers) => bounded('callflows', () => reads.callflows(id, numbers)),
      device: (a, id) => bounded('device', () => reads.device(a, id)),
      deviceBySipUsername: (a, u) => bounded('device', () => reads.deviceBySipUsername(a, u)),
      user: (a, id) => bounded('user', () => reads.user(a, id)),
      userDevices: (a, id) => bounded('devices', () => reads.userDevices(a, id)),
      resources: (a) => bounded('resources', () => reads.resources(a)),
      registrations: async (realm, username) => {
        const cached = contacts.get(realm, username);
        if (cached) return this.timed('reg_query', async () => ({ value: cached }), 'cache');
        return this.timed('reg_query', async () => {
          const askedAt = Date.now();
          const answered = await ask.contacts(realm, username, budget).catch(() => undefined);
          if (answered) {
            contacts.set(realm, username, answered.contacts, askedAt, answered.expiresAt);
            return { value: answered.contacts };
          }
          const stored = await withDeadline(reads.storedContacts(realm, username, Math.floor(Date.now() / 1000)), budget.timeoutFor(storeMs, 'registrations'), 'registrations');
          return { value: stored, note: `no registrar answered reg_query for ${username}@${realm}: registrations read from the database` };
        });
      },
      activeCalls: (realm, usernames) =>
        this.timed('query_user_channels', async () => {
          const { calls, answered } = await ask.activeCalls(realm, usernames, budget);
          return answered === 0 ? { value: calls, note: `no ecallmgr answered the channel query for ${usernames.join(', ')}` } : { value: calls };
        }),
      calendarStatus: (a, c, at) =>
        this.windowed('calendar_status', calendars, a, c, at, async () => {
          const status = await ask.calendarStatus(a, c, at, budget);
          return { value: status, ...(status.until ? { until: Date.parse(status.until) } : {}) };
        }),
      oncall: (a, c, at) =>
        this.windowed('oncall', oncalls, a, c, at, async () => {
          const { userIds, untilMs } = await ask.oncall(a, c, at, budget);
          return { value: { userIds }, ...(untilMs !== undefined ? { until: untilMs } : {}) };
        }),
      callgroupPlan: (request) => this.timed('callgroup_plan', () => ask.callgroupPlan(request, budget)),
    };
  }

  close(): void {
    this.reads.close();
  }
}
