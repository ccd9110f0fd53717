import { setTimeout as sleep } from 'node:timers/promises';
import type { DocumentScope } from 'nano';
import type { Logger } from 'pino';
import { bulkWrite, type ConflictResolver, type StoredDoc } from '@fife/store';
import type { RegistrationRecord } from '../domain/registration.js';
import type { RegistrationIndex } from '../services/registration-index.js';
import { docOf } from './registration-docs.js';

export type WriteOp = { kind: 'put'; id: string; record: RegistrationRecord } | { kind: 'delete'; id: string; updatedMs: number; rev?: string };

export interface RegistrationWriterOptions {
  /** Documents per `_bulk_docs` request. */
  batchSize: number;
  /** How long a lone write waits for company before it is sent. */
  flushMs: number;
  /** Retry backoff while CouchDB is unreachable. */
  retryMinMs: number;
  retryMaxMs: number;
}

interface Queued {
  op: WriteOp;
  waiters: Array<() => void>;
}

const updatedMsOf = (doc: StoredDoc | undefined): number => (typeof doc?.updated_ms === 'number' ? doc.updated_ms : 0);

/**
 * Of two writers of one binding the later REGISTER wins, whichever process writes last; a removal
 * of a binding that is already gone is done.
 */
const newerWins: ConflictResolver = (current, wanted) => {
  if (current && updatedMsOf(current) > updatedMsOf(wanted)) return undefined;
  if (wanted._deleted) return current ? { _id: wanted._id, _deleted: true, updated_ms: wanted.updated_ms } : undefined;
  if (current && typeof current.initial_registration === 'number' && typeof wanted.initial_registration === 'number') {
    return { ...wanted, initial_registration: Math.min(current.initial_registration, wanted.initial_registration) };
  }
  return wanted;
};

/**
 * Batches binding writes into `_bulk_docs` requests. `submit` resolves once CouchDB holds the write (or
 * refused it for good), so the consumer acks the reg_success only then: a crash loses nothing that was
 * acked. Later writes of one binding replace queued earlier ones. While CouchDB is down the batch is
 * retried with backoff, logged once when it starts and once when it recovers.
 */
export class RegistrationWriter {
  private readonly queue = new Map<string, Queued>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private outageSince: number | undefined;
  private stopped = false;
  readonly stats = { written: 0, removed: 0, failed: 0, batches: 0, retries: 0 };

  constructor(
    private readonly db: DocumentScope<any>,
    private readonly index: RegistrationIndex,
    private readonly log: Logger,
    private readonly options: RegistrationWriterOptions,
  ) {}

  get pending(): number {
    return this.queue.size;
  }

  submit(op: WriteOp): Promise<void> {
    return new Promise((resolve) => {
      const queued = this.queue.get(op.id);
      if (queued) {
        queued.op = op;
        queued.waiters.push(resolve);
      } else this.queue.set(op.id, { op, waiters: [resolve] });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing || this.stopped) return;
    if (this.queue.size >= this.options.batchSize) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.startFlush();
    } else this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.startFlush();
    }, this.options.flushMs);
  }

  private startFlush(): void {
    if (this.flushing || this.queue.size === 0) return;
    this.flushing = this.flushAll().finally(() => {
      this.flushing = undefined;
      if (this.queue.size > 0) this.schedule();
    });
  }

  private async flushAll(): Promise<void> {
    let failures = 0;
    while (this.queue.size > 0 && !this.stopped) {
      const batch = this.take();
      try {
        await this.write(batch);
        if (this.outageSince !== undefined) {
          this.log.info({ downForMs: Date.now() - this.outageSince, queued: this.queue.size }, 'registrar: CouchDB writable again, queued registrations written');
          this.outageSince = undefined;
        }
        failures = 0;
      } catch (err) {
        this.requeue(batch);
        this.stats.retries++;
        if (this.outageSince === undefined) {
          this.outageSince = Date.now();
          this.log.warn({ err, queued: this.queue.size }, 'registrar: CouchDB unavailable, registrations kept queued (unacked) and retried');
        }
        const delay = Math.min(this.options.retryMaxMs, this.options.retryMinMs * 2 ** failures++);
        await sleep(delay);
      }
    }
  }

  /** The oldest queued writes, up to a batch. */
  private take(): Map<string, Queued> {
    const batch = new Map<string, Queued>();
    for (const [id, queued] of this.queue) {
      if (batch.size >= this.options.batchSize) break;
      batch.set(id, queued);
      this.queue.delete(id);
    }
    return batch;
  }

  /** Back in the queue after a failed attempt, unless a newer write of the binding came in meanwhile. */
  private requeue(batch: Map<string, Queued>): void {
    for (const [id, queued] of batch) {
      const newer = this.queue.get(id);
      if (newer) newer.waiters.push(...queued.waiters);
      else this.queue.set(id, queued);
    }
  }

  private async write(batch: Map<string, Queued>): Promise<void> {
    const docs = [...batch.values()].map(({ op }) => this.docFor(op));
    const report = await bulkWrite(this.db, docs, { resolve: newerWins });
    this.stats.batches++;
    const revs = new Map(report.written.map((w) => [w.id, w.rev]));
    const refused = new Set<string>();
    for (const failure of report.failed) {
      // A conflict the resolver settled (a newer write won) or a removal of what is gone is an outcome, not a failure.
      if (failure.error === 'conflict' || failure.error === 'not_found') continue;
      refused.add(failure.id);
      this.stats.failed++;
      this.log.error({ id: failure.id, error: failure.error, reason: failure.reason, field: failure.field }, 'registrar: registration not stored');
    }
    for (const [id, { op, waiters }] of batch) {
      if (op.kind === 'put') {
        this.index.confirm(id, revs.get(id));
        if (revs.has(id)) this.stats.written++;
        // CouchDB will never hold it (an invalid document): queries must not pretend otherwise.
        if (refused.has(id)) this.index.removeStored(id);
      } else {
        this.index.confirmRemoval(id, op.updatedMs);
        if (revs.has(id)) this.stats.removed++;
      }
      for (const done of waiters) done();
    }
  }

  private docFor(op: WriteOp): StoredDoc {
    if (op.kind === 'put') return docOf(op.record, this.index.rev(op.id));
    // Without a known revision the write conflicts if the document exists; the resolver then deletes it.
    return { _id: op.id, ...(op.rev ? { _rev: op.rev } : {}), _deleted: true, updated_ms: op.updatedMs };
  }

  /** Writes what is queued (bounded by `timeoutMs`), then stops taking work. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.startFlush();
    while ((this.flushing || this.queue.size > 0) && Date.now() < deadline) {
      await Promise.race([this.flushing ?? sleep(10), sleep(Math.max(1, deadline - Date.now()))]);
      this.startFlush();
    }
    this.stopped = true;
    if (this.queue.size > 0) this.log.warn({ unwritten: this.queue.size }, 'registrar: stopping with registrations unwritten (unacked: the broker redelivers them)');
  }
}
