import type { DocumentScope } from 'nano';
import type { Logger } from 'pino';
import { compact } from '@fife/store';
import type { RegistrationIndex } from '../services/registration-index.js';

export interface SweeperOptions {
  intervalMs: number;
  /** Documents deleted per round trip. */
  batchSize: number;
  /** 0 disables periodic compaction (e.g. CouchDB 3 with its own auto-compaction). */
  compactIntervalMs: number;
  nowUnix: () => number;
}

type ExpiredRows = { rows: Array<{ id: string; key: number; doc?: { _id: string; _rev: string; expires_at?: number } }> };

export interface SweepReport {
  deleted: number;
  /** Deletes that lost against a refresh or another sweeper: correct outcomes, not errors. */
  conflicts: number;
}

/**
 * Deletes bindings whose `expires_at` has passed. Any number of registrar processes may sweep at once:
 * each delete names the revision it read, so a binding refreshed meanwhile (or already deleted by another
 * sweeper) answers 409 and is left alone. Intervals are jittered so processes do not sweep in lock-step.
 */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private lastCompaction = Date.now();
  private stopped = false;
  readonly totals = { deleted: 0, conflicts: 0, sweeps: 0 };

  constructor(
    private readonly db: DocumentScope<any>,
    private readonly index: RegistrationIndex,
    private readonly log: Logger,
    private readonly options: SweeperOptions,
  ) {}

  start(): void {
    if (this.options.intervalMs <= 0) return;
    const jittered = this.options.intervalMs * (0.8 + Math.random() * 0.4);
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.start();
      });
    }, jittered);
  }

  private async tick(): Promise<void> {
    try {
      await this.sweepOnce();
      if (this.options.compactIntervalMs > 0 && Date.now() - this.lastCompaction >= this.options.compactIntervalMs) {
        this.lastCompaction = Date.now();
        const report = await compact(this.db, { cleanupViews: true, wait: false });
        this.log.info({ ...report }, 'registrar: registrations database compaction started');
      }
    } catch (err) {
      this.log.warn({ err }, 'registrar: expiry sweep failed (retried next interval)');
    }
  }

  async sweepOnce(): Promise<SweepReport> {
    const report: SweepReport = { deleted: 0, conflicts: 0 };
    const now = this.options.nowUnix();
    // Bounded: every round removes or skips what it read, and refreshed bindings move past `now`.
    for (let round = 0; round < 100; round++) {
      const answer = (await this.db.view('registrations', 'by_expiry', {
        endkey: now,
        include_docs: true,
        limit: this.options.batchSize,
      })) as unknown as ExpiredRows;
      const expired = answer.rows.flatMap((r) => (r.doc && typeof r.doc.expires_at === 'number' && r.doc.expires_at <= now ? [r.doc] : []));
      if (expired.length === 0) break;
      const results = await this.db.bulk({ docs: expired.map((d) => ({ _id: d._id, _rev: d._rev, _deleted: true })) });
      let progressed = false;
      for (const result of results) {
        if (result.rev && !result.error) {
          report.deleted++;
          progressed = true;
          this.index.removeStored(result.id);
        } else if (result.error === 'conflict' || result.error === 'not_found') report.conflicts++;
        else this.log.warn({ id: result.id, error: result.error, reason: result.reason }, 'registrar: expired binding not deleted');
      }
      if (!progressed || answer.rows.length < this.options.batchSize) break;
    }
    this.totals.sweeps++;
    this.totals.deleted += report.deleted;
    this.totals.conflicts += report.conflicts;
    if (report.deleted > 0) this.log.info({ ...report }, 'registrar: expired bindings removed');
    return report;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
