/**
 * Every time-based behaviour of the simulator (ring timers, leg delays, heartbeats, registration expiry,
 * playback durations) goes through a Clock, so tests can run minutes of call time in milliseconds and
 * get the same result every run.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the epoch, as the simulated FreeSWITCH sees it. */
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle | undefined): void;
  sleep(ms: number): Promise<void>;
  /**
   * Registers real I/O (an HTTP fetch, a socket write) the model is waiting on, so a virtual clock does not
   * run timers past work that has not finished yet.
   */
  track<T>(work: Promise<T>): Promise<T>;
  /** Resolves once no tracked work is pending and the microtask queue has drained. */
  settle(): Promise<void>;
  readonly virtual: boolean;
}

interface PendingTimer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Capture day of the real FreeSWITCH fixtures; any fixed instant would do, this one keeps dates familiar. */
export const DEFAULT_VIRTUAL_EPOCH = Date.UTC(2026, 10, 22, 5, 42, 30);

/** What both clocks do alike: sleeping on their own timers and tracking the I/O the model waits on. */
abstract class TrackingClock implements Clock {
  abstract readonly virtual: boolean;
  protected pending = new Set<Promise<unknown>>();

  abstract now(): number;
  abstract setTimer(ms: number, fn: () => void): TimerHandle;
  abstract clearTimer(handle: TimerHandle | undefined): void;
  abstract settle(): Promise<void>;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  track<T>(work: Promise<T>): Promise<T> {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    tracked.catch(() => undefined);
    return tracked;
  }
}

export class VirtualClock extends TrackingClock {
  readonly virtual = true;
  private current: number;
  private timers: PendingTimer[] = [];
  private nextId = 1;
  private seq = 0;

  constructor(startMs: number = DEFAULT_VIRTUAL_EPOCH) {
    super();
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: PendingTimer = { id: this.nextId++, at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  async settle(): Promise<void> {
    // Two quiet macrotask turns in a row: promise chains that schedule further chains get to run out.
    let quiet = 0;
    while (quiet < 2) {
      if (this.pending.size > 0) {
        quiet = 0;
        await Promise.allSettled([...this.pending]);
        continue;
      }
      await macrotask();
      quiet = this.pending.size === 0 ? quiet + 1 : 0;
    }
  }

  /** Runs every timer due within the next `ms` milliseconds, in time order, letting async work settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await this.settle();
    for (;;) {
      const next = this.earliestDue(target);
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.fn();
      await this.settle();
    }
    this.current = Math.max(this.current, target);
    await this.settle();
  }

  /** Advances to the given absolute virtual time (no-op if it is in the past). */
  async advanceTo(atMs: number): Promise<void> {
    await this.advance(Math.max(0, atMs - this.current));
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  private earliestDue(target: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (t.at > target) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

export class RealClock extends TrackingClock {
  readonly virtual = false;
  private handles = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    const handle = setTimeout(() => {
      this.handles.delete(id);
      fn();
    }, Math.max(0, ms));
    this.handles.set(id, handle);
    return { id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const h = this.handles.get(handle.id);
    if (h) clearTimeout(h);
    this.handles.delete(handle.id);
  }

  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await macrotask();
  }

  /** Cancels every timer still pending, so a stopped simulator leaves nothing behind. */
  clearAll(): void {
    for (const h of this.handles.values()) clearTimeout(h);
    this.handles.clear();
  }
}
