import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { FifeError, isFifeError } from '@fife/api';
import { isNotFound, type Store, type StoredDoc } from '@fife/store';
import { FEED_DOC_TYPE, feedDocId, feedDocSchema, type FeedDoc } from '../documents/calendar-doc.js';
import { fetchFeed, hostOf, type FeedLimits } from './feed-fetch.js';

export function urlDigest(url: string): string {
  return createHash('sha256').update(url).digest('hex');
}

/** The stored last good copy of a calendar's feed, if it came from `url` (a changed URL starts over). */
export async function readFeedCopy(store: Store, dbName: string, calendarId: string, url: string): Promise<FeedDoc | undefined> {
  let raw: unknown;
  try {
    raw = await store.db(dbName).get(feedDocId(calendarId));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const parsed = feedDocSchema.safeParse(raw);
  return parsed.success && parsed.data.url_sha256 === urlDigest(url) ? parsed.data : undefined;
}

export type PollOutcome = 'fetched' | 'unchanged' | 'not_modified' | 'failed';

export interface PollerStatus {
  polls: number;
  last: PollOutcome | undefined;
  lastError: string | undefined;
  lastErrorCode: string | undefined;
}

export interface FeedPollerOptions {
  store: Store;
  dbName: string;
  calendarId: string;
  url: string;
  refreshMs: number;
  limits: FeedLimits;
  log: Logger;
  /** Told when a new copy was stored (the changes feed tells the other instances). */
  onStored: () => void;
  /** Told the outcome of every poll (metrics). */
  onPolled?: (outcome: PollOutcome) => void;
}

/**
 * Keeps one remote calendar's copy fresh: a conditional GET every `refreshMs` (ETag / Last-Modified of
 * the stored copy), the new text stored in the account database only when it parses and differs.
 * Failures are recorded and logged; the last good copy stays what the index is built from.
 */
export class FeedPoller {
  readonly url: string;
  readonly refreshMs: number;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<PollOutcome> | undefined;
  private readonly state: PollerStatus = { polls: 0, last: undefined, lastError: undefined, lastErrorCode: undefined };

  constructor(private readonly o: FeedPollerOptions) {
    this.url = o.url;
    this.refreshMs = o.refreshMs;
  }

  get status(): Readonly<PollerStatus> {
    return { ...this.state };
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.refreshMs).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll now (concurrent callers share it). Never throws: the outcome and error are in `status`. */
  poll(): Promise<PollOutcome> {
    this.inFlight ??= this.pollOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async pollOnce(): Promise<PollOutcome> {
    this.state.polls++;
    const host = hostOf(this.url);
    let outcome: PollOutcome;
    try {
      const copy = await readFeedCopy(this.o.store, this.o.dbName, this.o.calendarId, this.url);
      const got = await fetchFeed(this.url, { etag: copy?.etag, lastModified: copy?.last_modified }, this.o.limits);
      outcome = got.kind === 'not_modified' ? 'not_modified' : (await this.storeCopy(got)) ? 'fetched' : 'unchanged';
      this.state.lastError = undefined;
      this.state.lastErrorCode = undefined;
    } catch (err) {
      const e = isFifeError(err) ? err : new FifeError('calendar.feed_failed', String((err as Error)?.message ?? err));
      this.state.lastError = e.message;
      this.state.lastErrorCode = e.code;
      this.o.log.warn({ calendarId: this.o.calendarId, host, code: e.code, reason: e.message }, 'calendar: feed refresh failed, keeping the last good copy');
      outcome = 'failed';
    }
    this.state.last = outcome;
    this.o.onPolled?.(outcome);
    if (outcome === 'fetched') this.o.onStored();
    return outcome;
  }

  /** Stores the new text; false when it equals the stored copy (no write, no change event). */
  private async storeCopy(got: { ics: string; etag?: string; lastModified?: string }): Promise<boolean> {
    const digest = urlDigest(this.url);
    const result = await this.o.store.upsert<StoredDoc>(this.o.dbName, feedDocId(this.o.calendarId), (current) => {
      const same = current?.url_sha256 === digest && current.ics === got.ics && current.etag === got.etag && current.last_modified === got.lastModified;
      if (same) return undefined;
      return {
        pvt_type: FEED_DOC_TYPE,
        calendar_id: this.o.calendarId,
        url_sha256: digest,
        ics: got.ics,
        ...(got.etag ? { etag: got.etag } : {}),
        ...(got.lastModified ? { last_modified: got.lastModified } : {}),
        fetched_at: new Date().toISOString(),
      };
    });
    return result.written;
  }
}
