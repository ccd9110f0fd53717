import type { SimFleet } from './fleet.js';
import { pacedToEnd, type PaceResult } from './pace.js';
import type { FetchKind, FetchSample } from './probe.js';
import { extensionOf } from './provision.js';
import { summarize, type LatencySummary } from './stats.js';
import { calleeFor } from './topology.js';

/** Latency of one kind of fetch in a phase, and how many of them FreeSWITCH could not use. */
export type FetchStats = LatencySummary & { errors: number; noAnswer: number };

export function fetchStats(samples: readonly FetchSample[], kinds: readonly FetchKind[]): FetchStats {
  const mine = samples.filter((s) => kinds.includes(s.kind));
  return {
    ...summarize(mine.map((s) => s.ms)),
    errors: mine.filter((s) => s.outcome !== 'ok').length,
    noAnswer: mine.filter((s) => s.outcome === 'no-answer').length,
  };
}

/** `achievedPerS` is the rate operations were started at; `completedPerS` counts successes until the last one finished. */
export type RegistrationStep = PaceResult & { registered: number; failed: number; completedPerS: number; auth: FetchStats };

/** `rate` REGISTERs per second for `seconds`, phones taken round-robin from `cursor` (re-registrations once all are done). */
export async function registrationStep(fleet: SimFleet, phones: number, cursor: { next: number }, rate: number, seconds: number, expiresS: number): Promise<RegistrationStep> {
  fleet.probe.take();
  let registered = 0;
  const { pace, elapsedS } = await pacedToEnd(rate, seconds, async () => {
    const phone = fleet.phone(cursor.next++ % phones);
    if ((await phone.register(expiresS)) === 'registered') registered++;
  });
  const completedPerS = registered / elapsedS;
  return { ...pace, registered, failed: pace.started - registered, completedPerS, auth: fetchStats(fleet.probe.take(), ['register']) };
}

export type CallStep = PaceResult & { answered: number; failed: number; completedPerS: number; causes: Record<string, number>; auth: FetchStats; route: FetchStats };

/**
 * `rate` calls per second for `seconds`: a caller (a phone that is not a callee) dials the extension of a
 * callee on its own node; the callee answers at once and the caller hangs up after `holdS`. A call counts
 * as answered when the simulator's ring log shows the callee answered.
 */
export async function callStep(fleet: SimFleet, o: { phones: number; callees: number; nodes: number; holdS: number }, cursor: { next: number }, rate: number, seconds: number): Promise<CallStep> {
  fleet.probe.take();
  let answered = 0;
  const causes: Record<string, number> = {};
  const { pace, elapsedS } = await pacedToEnd(rate, seconds, async () => {
    const n = cursor.next++;
    const caller = o.callees + (n % (o.phones - o.callees));
    const callee = calleeFor(caller, n, o.callees, o.nodes);
    const call = await fleet.phone(caller).call(extensionOf(callee), { hangupAfterS: o.holdS });
    const cause = await Promise.race([call.done, new Promise<string>((r) => setTimeout(() => r('DRIVER_TIMEOUT'), (o.holdS + 20) * 1000).unref())]);
    if (call.ringLog()?.answeredBy !== undefined) answered++;
    else causes[cause] = (causes[cause] ?? 0) + 1;
  });
  // A call ends after its hold time: that part of the wait is not the cluster's.
  const completedPerS = answered / Math.max(seconds, elapsedS - o.holdS);
  const samples = fleet.probe.take();
  return {
    ...pace,
    answered,
    failed: pace.started - answered,
    completedPerS,
    causes,
    auth: fetchStats(samples, ['invite']),
    route: fetchStats(samples, ['dialplan']),
  };
}
