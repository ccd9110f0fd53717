import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerScope } from 'nano';
import { statusOf } from './retry.js';

export type Change = { id: string; seq: unknown; deleted?: boolean; changes?: { rev: string }[] };

export type ChangesWatcherOptions = {
  /** First reconnect delay; doubled per failure up to maxBackoffMs, with jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longpoll timeout asked of the server; the client gives up 5 s later if no answer came at all. */
  pollTimeoutMs?: number;
  /** Told about every failed request and every throwing hook (the watcher keeps going regardless). */
  onError?: (error: unknown) => void;
};

type Hook<A extends unknown[]> = (...args: A) => void;
type ChangesResponse = { results: Change[]; last_seq: unknown };

/**
 * Follows one database's `_changes` feed from "now" (the db's update_seq when it starts) with longpoll
 * requests and tells its hooks which documents changed.
 *
 * Two states matter to consumers. `live`: connected right now. `tracking`: holding an unbroken position
 * in the feed, so every change after it will be reported, possibly late. When the server goes away the
 * watcher is not live but still tracking: it retries with jittered exponential backoff and, once back,
 * catches up from its last sequence, so nothing is missed. Only when the position itself is lost (the
 * server rejects it, the database was deleted, the watcher stops) does it fire `onReset`: whatever was
 * derived from earlier reads can no longer be kept correct and must be dropped.
 */
export class ChangesWatcher {
  readonly dbName: string;
  private readonly server: ServerScope;
  private readonly options: Required<Omit<ChangesWatcherOptions, 'onError'>> & Pick<ChangesWatcherOptions, 'onError'>;
  private readonly changeHooks = new Set<Hook<[string, Change]>>();
  private readonly resetHooks = new Set<Hook<[]>>();
  private readonly liveHooks = new Set<Hook<[]>>();
  private readonly downHooks = new Set<Hook<[unknown]>>();
  private liveWaiters: (() => void)[] = [];
  private since: unknown = undefined;
  private isLive = false;
  private stopped = true;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private resets = 0;

  constructor(server: ServerScope, dbName: string, options: ChangesWatcherOptions = {}) {
    this.server = server;
    this.dbName = dbName;
    this.options = {
      minBackoffMs: options.minBackoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      pollTimeoutMs: options.pollTimeoutMs ?? 30_000,
      onError: options.onError,
    };
  }

  /** Connected to the feed right now. */
  get live(): boolean {
    return this.isLive;
  }

  /** Holding an unbroken feed position: every later change will be reported. */
  get tracking(): boolean {
    return !this.stopped && this.since !== undefined;
  }

  /** Incremented by every reset: a read that started under another epoch may be stale. */
  get epoch(): number {
    return this.resets;
  }

  get lastSeq(): unknown {
    return this.since;
  }

  onChange(hook: (id: string, change: Change) => void): () => void {
    this.changeHooks.add(hook);
    return () => this.changeHooks.delete(hook);
  }

  /** The feed position was lost: anything derived from earlier reads may be stale. */
  onReset(hook: () => void): () => void {
    this.resetHooks.add(hook);
    return () => this.resetHooks.delete(hook);
  }

  /** Each time the watcher (re)connects. */
  onLive(hook: () => void): () => void {
    this.liveHooks.add(hook);
    return () => this.liveHooks.delete(hook);
  }

  /** Each time the connection is lost (the watcher keeps retrying). */
  onDown(hook: (error: unknown) => void): () => void {
    this.downHooks.add(hook);
    return () => this.downHooks.delete(hook);
  }

  /** Starts following; resolves once live, or when stopped first. Never rejects: it retries instead. */
  start(): Promise<void> {
    if (this.stopped) {
      this.stopped = false;
      this.loop = this.run();
    }
    return this.waitUntilLive();
  }

  waitUntilLive(): Promise<void> {
    if (this.isLive || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.liveWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
    this.isLive = false;
    this.losePosition();
    this.releaseWaiters();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (this.isLive) await this.poll();
        else await this.connect();
        failures = 0;
      } catch (error) {
        if (this.stopped) break;
        this.options.onError?.(error);
        this.setDown(error);
        // A rejected sequence (400) or a missing database (404): the old position means nothing any more.
        const status = statusOf(error);
        if (status === 400 || status === 404) this.losePosition();
        await sleep(this.reconnectDelay(failures++));
      }
    }
  }

  private reconnectDelay(failures: number): number {
    const ceiling = Math.min(this.options.maxBackoffMs, this.options.minBackoffMs * 2 ** failures);
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  /** A non-blocking read: the db's current position, or what happened since ours; then we are live. */
  private async connect(): Promise<void> {
    if (this.since === undefined) {
      const info = await this.server.db.get(this.dbName);
      this.since = info.update_seq;
    } else {
      this.deliver(await this.request({ since: this.since }, 30_000));
    }
    this.setLive();
  }

  private async poll(): Promise<void> {
    const qs = { since: this.since, feed: 'longpoll', timeout: this.options.pollTimeoutMs };
    try {
      this.deliver(await this.request(qs, this.options.pollTimeoutMs + 5000));
    } catch (error) {
      // A server that ignores `timeout` on a quiet feed is not a failure: just ask again.
      if (!this.stopped && (error as { name?: string }).name === 'TimeoutError') return;
      throw error;
    }
  }

  private async request(qs: Record<string, unknown>, timeoutMs: number): Promise<ChangesResponse> {
    this.abort = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]);
    try {
      return await this.server.relax({ db: this.dbName, path: '_changes', qs, signal } as Parameters<ServerScope['relax']>[0]);
    } finally {
      this.abort = undefined;
    }
  }

  private deliver(response: ChangesResponse): void {
    for (const change of response.results ?? []) this.callHooks(this.changeHooks, change.id, change);
    if (response.last_seq !== undefined) this.since = response.last_seq;
  }

  private setLive(): void {
    if (this.isLive) return;
    this.isLive = true;
    this.callHooks(this.liveHooks);
    this.releaseWaiters();
  }

  private setDown(error: unknown): void {
    if (!this.isLive) return;
    this.isLive = false;
    this.callHooks(this.downHooks, error);
  }

  private losePosition(): void {
    this.since = undefined;
    this.resets++;
    this.callHooks(this.resetHooks);
  }

  private releaseWaiters(): void {
    const waiters = this.liveWaiters;
    this.liveWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** A consumer's bug must not stop the feed for everyone else. */
  private callHooks<A extends unknown[]>(hooks: Set<Hook<A>>, ...args: A): void {
    for (const hook of hooks) {
      try {
        hook(...args);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}
