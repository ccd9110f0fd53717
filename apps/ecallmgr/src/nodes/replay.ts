import type { EslEvent } from '@fife/esl';
import { isRegistrationEvent } from '../domain/registration.js';

/** How far back a takeover replays: longer than a lease takeover takes (≈1–3 s) with room for a slow broker. */
export const REPLAY_WINDOW_MS = 10_000;
const MAX_EVENTS_PER_NODE = 20_000;

/**
 * A standby ecallmgr sees every event of the nodes it does not publish. It keeps their recent registration
 * events so that, when it takes a node over, what the node fired while the holder was dying is not lost:
 * a REGISTER accepted by FreeSWITCH in that gap would otherwise reach no registrar until the phone's next
 * refresh (an hour later). Call events are not replayed: a duplicate CHANNEL_ANSWER misleads integrators,
 * a duplicate registration is an idempotent refresh.
 */
export class RegistrationReplay {
  private readonly recent = new Map<string, Array<{ atMs: number; event: EslEvent }>>();

  constructor(
    private readonly windowMs = REPLAY_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps `event` if it is a registration event of a node this process does not publish. */
  remember(node: string, event: EslEvent): void {
    if (!isRegistrationEvent(event.headers)) return;
    const list = this.recent.get(node) ?? [];
    list.push({ atMs: this.now(), event });
    this.prune(list);
    if (list.length > MAX_EVENTS_PER_NODE) list.splice(0, list.length - MAX_EVENTS_PER_NODE);
    this.recent.set(node, list);
  }

  /** The node's registration events of the last window, oldest first; forgets them. */
  takeOver(node: string): EslEvent[] {
    const list = this.recent.get(node) ?? [];
    this.recent.delete(node);
    this.prune(list);
    return list.map((entry) => entry.event);
  }

  private prune(list: Array<{ atMs: number }>): void {
    const cutoff = this.now() - this.windowMs;
    let stale = 0;
    while (stale < list.length && list[stale]!.atMs < cutoff) stale++;
    if (stale > 0) list.splice(0, stale);
  }
}
