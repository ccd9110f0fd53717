/** What an open-loop run achieved: how many were started, over how long, and the resulting rate. */
export type PaceResult = { started: number; seconds: number; achievedPerS: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Open-loop load: starts `work(i)` at `ratePerS` on a fixed schedule for `seconds`, whatever earlier
 * starts are doing, so queueing in the system under test shows up as latency instead of a lower rate.
 * Returns once everything was started; `inflight` holds what has not finished yet.
 */
export async function paced(ratePerS: number, seconds: number, work: (i: number) => Promise<unknown>, inflight: Promise<unknown>[] = []): Promise<PaceResult> {
  const total = Math.max(1, Math.round(ratePerS * seconds));
  const t0 = performance.now();
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * ratePerS) + 1);
    for (; i < due; i++) inflight.push(work(i).catch(() => undefined));
    if (i < total) await sleep(Math.max(1, Math.min(20, 1000 / ratePerS)));
  }
  const elapsed = (performance.now() - t0) / 1000;
  // The last start is due at (total-1)/rate; count the schedule's full length so short runs do not look faster.
  const scheduled = Math.max(elapsed, total / ratePerS);
  return { started: total, seconds: scheduled, achievedPerS: total / scheduled };
}

/** `paced`, then waits until every started `work` has finished; `elapsedS` runs from the first start to the last finish. */
export async function pacedToEnd(ratePerS: number, seconds: number, work: (i: number) => Promise<unknown>): Promise<{ pace: PaceResult; elapsedS: number }> {
  const inflight: Promise<unknown>[] = [];
  const t0 = performance.now();
  const pace = await paced(ratePerS, seconds, work, inflight);
  await Promise.all(inflight);
  return { pace, elapsedS: (performance.now() - t0) / 1000 };
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function withLimit<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
