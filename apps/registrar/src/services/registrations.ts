import type { Logger } from 'pino';
import { bindingsToEvict, isLive, isRemoval, type ExpiryPolicy } from '../domain/expiry.js';
import { answerQuery, matchesQuery, type QueryAnswer, type RegQuery } from '../domain/query.js';
import {
  aorOf,
  bindingOf,
  contactOf,
  lacksIdentity,
  recordFromSuccess,
  refreshed,
  registrationId,
  withIdentity,
  type RegSuccess,
  type RegistrationRecord,
} from '../domain/registration.js';
import { tryParseContact } from '../domain/contact.js';
import type { RegistrationIndex } from './registration-index.js';
import type { WriteOp } from '../couch/registration-writer.js';

/** Account-ID, Authorizing-ID, ... of the device registering as user@realm, when known. */
export type Identify = (username: string, realm: string) => Promise<Record<string, string> | undefined>;

export interface RegistrationServiceOptions {
  expiry: ExpiryPolicy;
  /** Fills in the device's identity when a reg_success carries none (FreeSWITCH register events). */
  identify?: Identify;
  maxContactsPerDevice: number;
  hostname: string;
  startedAtMs: number;
  nowMs: () => number;
}

export interface WriteSink {
  submit(op: WriteOp): Promise<void>;
}

/**
 * reg_success and reg_query on top of the in-memory index. A REGISTER is visible to queries as soon as it
 * is received; `record` resolves once CouchDB holds it, so the message is acked only then.
 */
export class RegistrationService {
  constructor(
    private readonly index: RegistrationIndex,
    private readonly writes: WriteSink,
    private readonly options: RegistrationServiceOptions,
    private readonly log: Logger,
  ) {}

  async record(msg: RegSuccess): Promise<void> {
    const nowMs = this.options.nowMs();
    const ops = isRemoval(msg) ? this.removals(msg, nowMs) : this.registration(await this.identified(msg, nowMs), nowMs);
    await Promise.all(ops.map((op) => this.writes.submit(op)));
  }

  private async identified(msg: RegSuccess, nowMs: number): Promise<RegistrationRecord> {
    const record = recordFromSuccess(msg, nowMs, this.options.expiry);
    if (!this.options.identify || !lacksIdentity(record)) return record;
    try {
      const identity = await this.options.identify(record.username, record.realm);
      return identity ? withIdentity(record, identity) : record;
    } catch (err) {
      this.log.debug({ err, aor: record.aor }, 'registrar: device identity unavailable, binding stored without it');
      return record;
    }
  }

  private registration(incoming: RegistrationRecord, nowMs: number): WriteOp[] {
    const record = refreshed(this.index.get(incoming.id), incoming);
    const nowUnix = Math.floor(nowMs / 1000);
    const live = this.index.forAor(record.aor).filter((r) => isLive(r, nowUnix));
    const evicted = bindingsToEvict(live, record.id, this.options.maxContactsPerDevice);
    if (evicted.length > 0) {
      this.log.info({ aor: record.aor, evicted: evicted.map((r) => r.contact) }, 'registrar: too many contacts, oldest evicted');
    }
    if (!this.index.putLocal(record)) return [];
    return [{ kind: 'put', id: record.id, record }, ...evicted.map((r) => this.removal(r.id, nowMs))];
  }

  /** `Contact: *` with Expires 0 removes every binding of the AOR (RFC 3261 §10.2.2). */
  private removals(msg: RegSuccess, nowMs: number): WriteOp[] {
    const aor = aorOf(msg.Username, msg.Realm);
    if (tryParseContact(msg.Contact)?.wildcard) return this.index.forAor(aor).map((r) => this.removal(r.id, nowMs));
    return [this.removal(registrationId(aor, bindingOf(contactOf(msg)).binding), nowMs)];
  }

  private removal(id: string, nowMs: number): WriteOp {
    const rev = this.index.rev(id);
    this.index.removeLocal(id, nowMs);
    return { kind: 'delete', id, updatedMs: nowMs, ...(rev ? { rev } : {}) };
  }

  /** reg_flush (without Cache-Only): every binding of the realm, or of one user, is removed. */
  async flush(realm: string, username?: string): Promise<number> {
    const nowMs = this.options.nowMs();
    const targets = username ? this.index.forAor(aorOf(username, realm)) : [...this.index.all()].filter((r) => matchesQuery(r, { Realm: realm }));
    await Promise.all(targets.map((r) => this.writes.submit(this.removal(r.id, nowMs))));
    return targets.length;
  }

  query(msg: RegQuery): QueryAnswer {
    const nowMs = this.options.nowMs();
    return answerQuery(this.candidates(msg), msg, {
      nowUnix: Math.floor(nowMs / 1000),
      registrarAge: Math.max(0, Math.floor((nowMs - this.options.startedAtMs) / 1000)),
      hostname: this.options.hostname,
    });
  }

  /** One AOR's bindings when the query names one, else everything (filtered by the domain). */
  private candidates(msg: RegQuery): Iterable<RegistrationRecord> {
    const realm = msg.Realm?.trim();
    const user = msg.Username?.trim();
    if (realm && user && user !== '*' && realm.toLowerCase() !== 'all') return this.index.forAor(aorOf(user, realm));
    return this.index.all();
  }
}
