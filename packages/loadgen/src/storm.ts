import type { Store } from '@fife/store';
import type { SimFleet } from './fleet.js';
import { fetchStats, type FetchStats } from './phases.js';
import { registrationsExpiringAfter } from './provision.js';

export type StormResult = {
  phones: number;
  /** From the restart of the nodes until ecallmgr held an ESL connection to every one of them again. */
  eslReconnectMs: number;
  /** From the first REGISTER of the storm until the last phone was registered at its node (undefined: not all were). */
  allRegisteredMs: number | undefined;
  /** … until the registrar had stored every binding in CouchDB (undefined: not within the deadline). */
  allStoredMs: number | undefined;
  registered: number;
  stored: number;
  attempts: number;
  /** Phones whose first REGISTER of the storm failed (they retry, as phones do). */
  firstAttemptFailures: number;
  auth: FetchStats;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(deadline: number, check: () => boolean | Promise<boolean>, everyMs: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}

/**
 * Every node crashes and comes back (empty registration table), ecallmgr reconnects, and every phone sends
 * its REGISTER at once; a phone whose REGISTER fails tries again after `retryS` (jittered), like a real one.
 * Storm bindings are written with a longer Expires than the ramp's, so CouchDB tells which were refreshed.
 */
export async function reRegistrationStorm(fleet: SimFleet, store: Store, o: { phones: number; deadlineS: number; retryS: number; expiresS: number }): Promise<StormResult> {
  const restartedAt = Date.now();
  for (let n = 0; n < fleet.nodes.length; n++) await fleet.restart(n);
  const deadline = Date.now() + o.deadlineS * 1000;
  await until(deadline, () => fleet.nodes.every((node) => node.eslConnections > 0), 50);
  const eslReconnectMs = Date.now() - restartedAt;
  await sleep(1000); // ecallmgr subscribes to events right after connecting; a REGISTER before that would go unseen
  fleet.probe.take();

  const stormAt = Date.now();
  const minExpiry = Math.floor(stormAt / 1000) + o.expiresS;
  let attempts = 0;
  let firstAttemptFailures = 0;
  let registered = 0;
  let lastRegisteredAt = 0;
  const registerOne = async (i: number) => {
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      attempts++;
      if ((await fleet.phone(i).register(o.expiresS)) === 'registered') {
        registered++;
        lastRegisteredAt = Date.now();
        return;
      }
      if (attempt === 0) firstAttemptFailures++;
      await sleep(o.retryS * 1000 * (0.5 + Math.random()));
    }
  };
  await Promise.all(Array.from({ length: o.phones }, (_, i) => registerOne(i)));
  const auth = fetchStats(fleet.probe.take(), ['register']);

  let stored = 0;
  let storedAt = 0;
  await until(
    deadline,
    async () => {
      stored = await registrationsExpiringAfter(store, minExpiry).catch(() => stored);
      storedAt = Date.now();
      return stored >= o.phones;
    },
    250,
  );
  return {
    phones: o.phones,
    eslReconnectMs,
    allRegisteredMs: registered === o.phones ? lastRegisteredAt - stormAt : undefined,
    allStoredMs: stored >= o.phones ? storedAt - stormAt : undefined,
    registered,
    stored,
    attempts,
    firstAttemptFailures,
    auth,
  };
}
