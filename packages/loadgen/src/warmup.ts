import { FifeError } from '@fife/api';
import type { Store } from '@fife/store';
import type { SimFleet } from './fleet.js';
import { withLimit } from './pace.js';
import { extensionOf, storedRegistrations } from './provision.js';
import { calleeFor } from './topology.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function retryUntil(what: string, ms: number, attempt: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await attempt().catch(() => false)) return;
    await sleep(500);
  }
  throw new FifeError('loadgen.not_ready', `${what}: not working after ${ms / 1000} s`);
}

/** End-to-end readiness: a REGISTER authenticated by the registrar, then a call routed by the router and answered. */
export async function endToEndReady(fleet: SimFleet, o: { callees: number; nodes: number }, expiresS: number): Promise<void> {
  const caller = Math.ceil(o.callees / o.nodes) * o.nodes;
  const callee = calleeFor(caller, 0, o.callees, o.nodes);
  await retryUntil('registration through ecallmgr and the registrar', 90_000, async () => (await fleet.phone(callee).register(expiresS)) === 'registered');
  await retryUntil('registration of the first caller', 30_000, async () => (await fleet.phone(caller).register(expiresS)) === 'registered');
  await retryUntil('a call routed by the router', 60_000, async () => {
    await sleep(300); // the registrar stores the callee's binding in a batch; the router asks for it
    const call = await fleet.phone(caller).call(extensionOf(callee), { hangupAfterS: 0.2 });
    await call.done;
    return call.ringLog()?.answeredBy !== undefined;
  });
}

export type Fill = { fillMs: number; filled: number; stored: number };

/**
 * Every phone registered once (three tries each, 200 at a time) and the registrar's bindings counted until
 * there is one per phone or a minute passed: warm caches and reachable callees before anything is timed.
 */
export async function registerEveryPhone(fleet: SimFleet, store: Store, accountId: string, phones: number, expiresS: number): Promise<Fill> {
  const t0 = Date.now();
  const all = Array.from({ length: phones }, (_, i) => i);
  await withLimit(all.filter((i) => !fleet.phone(i).registered), 200, async (i) => {
    for (let attempt = 0; attempt < 3; attempt++) if ((await fleet.phone(i).register(expiresS)) === 'registered') return;
  });
  const filled = all.filter((i) => fleet.phone(i).registered).length;
  let stored = 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (stored = await storedRegistrations(store, accountId)) < phones) await sleep(250);
  return { fillMs: Date.now() - t0, filled, stored };
}
