import type { Logger } from 'pino';
import { FifeError } from '@fife/api';
import { ACCOUNTS_DB, accountDbName, isNotFound, type Store } from '@fife/store';
import { expandCalendar, parseIcs, type ParsedCalendar } from '../domain/index.js';
import type { ServiceSettings } from '../config.js';
import { calendarDocSchema, calendarIdOfFeedDoc, feedDocId, type CalendarDoc } from '../documents/calendar-doc.js';
import { buildCalendarIndex, type CalendarIndex, type IndexedEvent } from './calendar-index.js';
import { FeedPoller, readFeedCopy, type PollOutcome } from './feed-poller.js';

/** One calendar's text, parsed once per document (or feed copy) version. */
interface Source {
  calendarId: string;
  doc: CalendarDoc;
  parsed: ParsedCalendar;
}

/** A calendar ready to answer: its sources and the index over the current window. */
export interface LoadedCalendar {
  accountId: string;
  calendarId: string;
  doc: CalendarDoc;
  main: Source;
  closures: Source | undefined;
  index: CalendarIndex;
}

/** How long the first request of an account waits for the changes feed before reading anyway. */
const WATCHER_START_WAIT_MS = 1000;
/** A query outside the rolling window gets an index of its own this long (not kept). */
const AD_HOC_SPAN_MS = 31 * 86_400_000;

const keyOf = (accountId: string, calendarId: string) => `${accountId}/${calendarId}`;

/**
 * Every calendar this process has been asked about, indexed and kept right: a change of the calendar,
 * of its closures calendar or of either's stored feed copy (seen on the account's changes feed, so on
 * every instance) re-indexes it at once; a timer rolls every index forward with the clock.
 */
export class CalendarBook {
  private readonly entries = new Map<string, Promise<LoadedCalendar>>();
  /** Document ids each calendar depends on (itself, its closures, their feed copies). */
  private readonly deps = new Map<string, Set<string>>();
  private readonly pollers = new Map<string, FeedPoller>();
  private readonly watching = new Map<string, Promise<void>>();
  private readonly unhooks: (() => void)[] = [];
  private closed = false;
  private readonly roller: NodeJS.Timeout;
  private counters = { loads: 0, reindexes: 0, rolls: 0 };
  private readonly feedPolls: Record<PollOutcome, number> = { fetched: 0, unchanged: 0, not_modified: 0, failed: 0 };

  constructor(
    private readonly store: Store,
    private readonly settings: ServiceSettings,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.roller = setInterval(() => this.rollAll(), settings.rollMs).unref();
  }

  async get(accountId: string, calendarId: string): Promise<LoadedCalendar> {
    await this.watch(accountId);
    const key = keyOf(accountId, calendarId);
    return this.entries.get(key) ?? this.startLoad(accountId, calendarId);
  }

  /** The index answering for `at`: the rolling one, or a one-off for instants outside its window. */
  indexFor(cal: LoadedCalendar, at: number): CalendarIndex {
    if (cal.index.covers(at)) return cal.index;
    return buildIndex(cal, { from: at - this.settings.lookbehindMs, to: at + AD_HOC_SPAN_MS });
  }

  poller(accountId: string, calendarId: string): FeedPoller | undefined {
    return this.pollers.get(keyOf(accountId, calendarId));
  }

  stats(): { calendars: number; pollers: number; loads: number; reindexes: number; rolls: number; feedPolls: Record<PollOutcome, number> } {
    return { calendars: this.entries.size, pollers: this.pollers.size, ...this.counters, feedPolls: { ...this.feedPolls } };
  }

  /** Rebuilds every loaded index over a window starting now (the timer does this every rollMs). */
  async rollAll(): Promise<void> {
    this.counters.rolls++;
    for (const [key, entry] of this.entries) {
      const rolled = entry.then((cal) => ({ ...cal, index: buildIndex(cal, this.window()) }));
      rolled.catch(() => {
        if (this.entries.get(key) === rolled) this.entries.delete(key);
      });
      this.entries.set(key, rolled);
    }
    await Promise.allSettled([...this.entries.values()]);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.roller);
    for (const off of this.unhooks.splice(0)) off();
    for (const p of this.pollers.values()) p.stop();
    this.watching.clear();
    this.pollers.clear();
    this.entries.clear();
  }

  private window(): { from: number; to: number } {
    const now = this.now();
    return { from: now - this.settings.lookbehindMs, to: now + this.settings.horizonMs };
  }

  private startLoad(accountId: string, calendarId: string): Promise<LoadedCalendar> {
    const key = keyOf(accountId, calendarId);
    this.deps.set(key, new Set([calendarId, feedDocId(calendarId)]));
    const load = this.load(accountId, calendarId);
    this.entries.set(key, load);
    // A failed load is not kept: the next request (or change) tries again.
    load.catch(() => {
      if (this.entries.get(key) === load) this.entries.delete(key);
    });
    return load;
  }

  private async load(accountId: string, calendarId: string): Promise<LoadedCalendar> {
    this.counters.loads++;
    const main = await this.source(accountId, calendarId);
    const closures = main.doc.closures ? await this.source(accountId, main.doc.closures, calendarId) : undefined;
    if (closures) this.deps.get(keyOf(accountId, calendarId))?.add(closures.calendarId).add(feedDocId(closures.calendarId));
    const partial = { accountId, calendarId, doc: main.doc, main, closures };
    return { ...partial, index: buildIndex(partial, this.window()) };
  }

  /** Reads, validates and parses one calendar document (and its feed copy when remote). */
  private async source(accountId: string, calendarId: string, closuresOf?: string): Promise<Source> {
    const dbName = accountDbName(accountId);
    const what = closuresOf ? `closures calendar "${calendarId}" of "${closuresOf}"` : `calendar "${calendarId}"`;
    let raw: unknown;
    try {
      raw = await this.store.db(dbName).get(calendarId);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.dropPoller(accountId, calendarId);
      throw new FifeError('calendar.not_found', `no ${what} in account ${accountId}`, { accountId, calendarId });
    }
    if ((raw as { pvt_type?: unknown }).pvt_type !== 'calendar') {
      this.dropPoller(accountId, calendarId);
      throw new FifeError('calendar.not_found', `no ${what} in account ${accountId} (document is not a calendar)`, { accountId, calendarId });
    }
    const parsed = calendarDocSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.map(String).join('.') || '(document)';
      throw new FifeError('calendar.invalid', `${what} is invalid: ${field}: ${issue?.message ?? 'invalid'}`, { accountId, calendarId, field });
    }
    const doc = parsed.data;
    if (doc.source.type === 'inline') this.dropPoller(accountId, calendarId);
    const text = doc.source.type === 'inline' ? doc.source.ics : await this.feedText(accountId, calendarId, doc.source);
    return { calendarId, doc, parsed: parseIcs(text) };
  }

  private async feedText(accountId: string, calendarId: string, source: { url: string; refresh_s: number }): Promise<string> {
    const dbName = accountDbName(accountId);
    const poller = this.ensurePoller(accountId, calendarId, source);
    let copy = await readFeedCopy(this.store, dbName, calendarId, source.url);
    if (!copy) {
      await poller.poll();
      copy = await readFeedCopy(this.store, dbName, calendarId, source.url);
    }
    if (!copy) {
      throw new FifeError('calendar.feed_unavailable', `remote calendar "${calendarId}" has no good copy yet: ${poller.status.lastError ?? 'not fetched'}`, {
        accountId,
        calendarId,
        code: poller.status.lastErrorCode,
      });
    }
    return copy.ics;
  }

  private ensurePoller(accountId: string, calendarId: string, source: { url: string; refresh_s: number }): FeedPoller {
    const key = keyOf(accountId, calendarId);
    const existing = this.pollers.get(key);
    if (existing && existing.url === source.url && existing.refreshMs === source.refresh_s * 1000) return existing;
    existing?.stop();
    const poller = new FeedPoller({
      store: this.store,
      dbName: accountDbName(accountId),
      calendarId,
      url: source.url,
      refreshMs: source.refresh_s * 1000,
      limits: { maxBytes: this.settings.feedMaxBytes, timeoutMs: this.settings.feedTimeoutMs },
      log: this.log,
      // Re-index here at once; other instances follow the changes feed.
      onStored: () => this.changed(accountId, feedDocId(calendarId)),
      onPolled: (outcome) => void this.feedPolls[outcome]++,
    });
    this.pollers.set(key, poller);
    if (!this.closed) poller.start();
    return poller;
  }

  /** A calendar that is gone or no longer remote stops being fetched. */
  private dropPoller(accountId: string, calendarId: string): void {
    const key = keyOf(accountId, calendarId);
    this.pollers.get(key)?.stop();
    this.pollers.delete(key);
  }

  /** A document of the account changed: re-index every calendar that depends on it. */
  private changed(accountId: string, docId: string): void {
    const prefix = `${accountId}/`;
    for (const [key, ids] of this.deps) {
      if (!key.startsWith(prefix) || !ids.has(docId)) continue;
      if (!this.entries.has(key)) continue;
      this.counters.reindexes++;
      this.startLoad(accountId, key.slice(prefix.length)).catch((err) =>
        this.log.warn({ accountId, calendarId: key.slice(prefix.length), trigger: calendarIdOfFeedDoc(docId) ? 'feed copy' : docId, reason: (err as Error).message }, 'calendar: re-index failed'),
      );
    }
  }

  private resetAccount(accountId: string): void {
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(`${accountId}/`)) this.startLoad(accountId, key.slice(accountId.length + 1)).catch(() => undefined);
    }
  }

  /** Follows the account database's changes feed, once per account (concurrent first requests share it). */
  private watch(accountId: string): Promise<void> {
    let watching = this.watching.get(accountId);
    if (!watching) {
      watching = this.startWatching(accountId);
      this.watching.set(accountId, watching);
      watching.catch(() => this.watching.delete(accountId));
    }
    return watching;
  }

  private async startWatching(accountId: string): Promise<void> {
    const dbName = accountDbName(accountId);
    // Never follow the feed of a database that is not an account's (it would be retried forever).
    const account = await this.store.getCached(ACCOUNTS_DB, accountId);
    if (!account) throw new FifeError('calendar.no_account', `no account ${accountId}`, { accountId });
    await this.store.prepareDb(dbName);
    const watcher = this.store.watcher(dbName);
    const offChange = watcher.onChange((id) => this.changed(accountId, id));
    const offReset = watcher.onReset(() => this.resetAccount(accountId));
    this.unhooks.push(offChange, offReset);
    await Promise.race([watcher.waitUntilLive(), new Promise((r) => setTimeout(r, WATCHER_START_WAIT_MS).unref())]);
  }
}

/** Expands the calendar (and its closures) over the window and indexes the result by its kind. */
export function buildIndex(cal: Pick<LoadedCalendar, 'doc' | 'main' | 'closures'>, window: { from: number; to: number }): CalendarIndex {
  const events = expandSource(cal.main, 'event', window);
  const doc = cal.doc;
  if (doc.kind === 'hours') return buildCalendarIndex({ kind: 'hours', events, closures: cal.closures ? expandSource(cal.closures, 'closure', window) : [] }, window);
  if (doc.kind === 'personal') return buildCalendarIndex({ kind: 'personal', events }, window);
  return buildCalendarIndex({ kind: 'oncall', events, mapping: doc.oncall! }, window);
}

function expandSource(source: Source, role: IndexedEvent['role'], window: { from: number; to: number }): IndexedEvent[] {
  // The engine appends its warnings to the parsed calendar on every expansion; rolls must not grow it.
  const warningsBefore = source.parsed.warnings.length;
  const intervals = expandCalendar(source.parsed, { from: window.from, to: window.to, defaultZone: source.doc.timezone });
  if (warningsBefore > 0) source.parsed.warnings.length = warningsBefore;
  return intervals.map((e) => ({
    uid: e.uid,
    summary: e.summary,
    start: e.start,
    end: e.end,
    categories: e.categories,
    attendees: e.attendees,
    transparent: e.transparent,
    calendarId: source.calendarId,
    role,
  }));
}
