import type { Logger } from 'pino';
import type { Bus } from '@fife/bus';
import type { Store } from '@fife/store';
import type { RouterLookups } from '../domain/lookups.js';
import { AmqpAsk, type AmqpTimeouts } from './amqp.js';
import { Budget, withDeadline } from './budget.js';
import { StoreReads } from './store.js';

export { AmqpAsk, type AmqpTimeouts } from './amqp.js';
export { Budget, withDeadline } from './budget.js';
export { StoreReads, contactUri } from './store.js';

export interface LookupDeps {
  bus: Bus;
  store: Store;
  log: Logger;
  timeouts: AmqpTimeouts & { storeMs: number };
}

/** Shared per process: the adapters; `forRequest` binds them to one request's budget. */
export class RouterLookupFactory {
  readonly reads: StoreReads;
  readonly ask: AmqpAsk;
  constructor(private readonly deps: LookupDeps) {
    this.reads = new StoreReads(deps.store, deps.log);
    this.ask = new AmqpAsk(deps.bus, deps.timeouts);
  }

  forRequest(budget: Budget): RouterLookups {
    const { reads, ask } = this;
    const storeMs = this.deps.timeouts.storeMs;
    // CouchDB reads are cached; the bound only matters when the database is slow or away.
    const bounded = <T>(work: Promise<T>, what: string): Promise<T> => withDeadline(work, budget.timeoutFor(storeMs, what), what);
    return {
      account: (id) => bounded(reads.account(id), 'account'),
      callflows: (id, numbers) => bounded(reads.callflows(id, numbers), 'callflows'),
      device: (a, id) => bounded(reads.device(a, id), 'device'),
      deviceBySipUsername: (a, u) => bounded(reads.deviceBySipUsername(a, u), 'device'),
      user: (a, id) => bounded(reads.user(a, id), 'user'),
      userDevices: (a, id) => bounded(reads.userDevices(a, id), 'devices'),
      resources: (a) => bounded(reads.resources(a), 'resources'),
      registrations: async (realm, username) => {
        const answered = await ask.contacts(realm, username, budget).catch(() => undefined);
        if (answered) return { value: answered };
        const stored = await bounded(reads.storedContacts(realm, username, Math.floor(Date.now() / 1000)), 'registrations');
        return { value: stored, note: `no registrar answered reg_query for ${username}@${realm}: registrations read from the database` };
      },
      activeCalls: async (realm, usernames) => {
        const { calls, answered } = await ask.activeCalls(realm, usernames, budget);
        return answered === 0 ? { value: calls, note: `no ecallmgr answered the channel query for ${usernames.join(', ')}` } : { value: calls };
      },
      calendarStatus: (a, c, at) => ask.calendarStatus(a, c, at, budget),
      oncall: (a, c, at) => ask.oncall(a, c, at, budget),
      callgroupPlan: (request) => ask.callgroupPlan(request, budget),
    };
  }
}
