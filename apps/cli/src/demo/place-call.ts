import type { RingLog, SimNode } from '@fife/testkit';
import { DEMO_REALM } from './people.js';

export interface PlacedCall {
  from: string;
  to: string;
  placedAt: Date;
  /** Who rang from when to when, who answered (seconds since the caller's channel was created). */
  log: RingLog | undefined;
  /** The caller's hangup cause. */
  cause: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One call from a simulated phone: waits until someone answers (then the caller hangs up after
 * `talkS`) or the call ends by itself; hangs up itself after `giveUpS` of ringing.
 */
export async function placeCall(node: SimNode, from: string, to: string, opts: { talkS?: number; giveUpS?: number } = {}): Promise<PlacedCall> {
  const placedAt = new Date();
  const call = await node.phone(from, DEMO_REALM).call(to);
  let ended = false;
  const done = call.done.then((cause) => ((ended = true), cause));
  const deadline = Date.now() + (opts.giveUpS ?? 20) * 1000;
  while (!ended && call.ringLog()?.answeredBy === undefined && Date.now() < deadline) await sleep(100);
  if (!ended) {
    if (call.ringLog()?.answeredBy !== undefined) await sleep((opts.talkS ?? 1) * 1000);
    call.hangup();
  }
  const cause = await done;
  const log = call.ringLog();
  return { from, to, placedAt, log: log && structuredClone(log), cause };
}
