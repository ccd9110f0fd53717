import { putCalendar } from '@fife/calendar';
import { putExtension } from '@fife/callgroup';
import { accountDbName, assertBulkOk, bulkWrite, newDocId, type StoredDoc, type Store } from '@fife/store';

/** Phone users of node k (1-based): `k000` … `k(n-1)`, e.g. 1000…1149 on fs1, 2000…2149 on fs2. */
export function usersOf(node: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${node}${String(i).padStart(3, '0')}`);
}

export const passwordOf = (user: string): string => `pw-${user}-secret`;

/** What each node's callers dial (callees live on the same node: the simulator bridges within one node). */
export function dialTargets(node: number): { device: string; callgroup: string; calendar: string } {
  return { device: `${node}900`, callgroup: `${node}901`, calendar: `${node}902` };
}

/** Who must answer each target of node k. */
export function expectedAnswerers(node: number): Record<string, string[]> {
  const t = dialTargets(node);
  return { [t.device]: [`${node}001`], [t.callgroup]: [`${node}002`, `${node}003`], [t.calendar]: [`${node}004`] };
}

const ALWAYS_OPEN = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//fife//cluster test//EN',
  'BEGIN:VEVENT',
  'UID:always-open@cluster.test',
  'DTSTAMP:20260101T000000Z',
  'DTSTART:20200101T000000Z',
  'DTEND:20200102T000000Z',
  'RRULE:FREQ=DAILY',
  'SUMMARY:Open',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

/**
 * One account with a device per phone, and per node a device callflow, a call-group callflow (the callgroup
 * whapp plans it) and a calendar callflow (the calendar whapp answers its status), written the way the apps'
 * own tests and provisioning do: @fife/store for devices and callflows, the apps' document helpers for
 * call-group extensions and calendars.
 */
export async function provision(store: Store, realm: string, phonesPerNode: number, nodes: number): Promise<string> {
  const accountId = await store.createAccount({ name: 'Cluster Test', realm });
  const db = accountDbName(accountId);
  const users = Array.from({ length: nodes }, (_, k) => usersOf(k + 1, phonesPerNode)).flat();
  // One validated _bulk_docs round (createDevice re-checks design documents and usernames per device: minutes for 300).
  const deviceIds = new Map(users.map((user) => [user, newDocId()]));
  const now = new Date().toISOString();
  const devices = users.map((user) => ({ _id: deviceIds.get(user)!, pvt_type: 'device', pvt_created: now, name: `phone ${user}`, sip: { username: user, password: passwordOf(user) } }));
  assertBulkOk(await bulkWrite(store.db(db), devices as StoredDoc[]));
  const put = async (doc: Record<string, unknown>) => {
    const id = newDocId();
    await store.upsert(db, id, () => ({ ...doc, _id: id }));
  };
  await putCalendar(store, accountId, 'always-open', { name: 'Always open', kind: 'hours', timezone: 'UTC', source: { type: 'inline', ics: ALWAYS_OPEN } });
  for (let k = 1; k <= nodes; k++) {
    const t = dialTargets(k);
    await put({ pvt_type: 'callflow', numbers: [t.device], patterns: [], flow: { module: 'device', data: { id: deviceIds.get(`${k}001`) } } });
    for (const member of [`${k}002`, `${k}003`]) await putExtension(store, accountId, { ext: member });
    await putExtension(store, accountId, { ext: t.callgroup, type: 'GROUP', ranks: [{ members: [{ ext: `${k}002` }, { ext: `${k}003` }] }] });
    await put({ pvt_type: 'callflow', numbers: [t.callgroup], patterns: [], flow: { module: 'callgroup', data: {} } });
    await put({
      pvt_type: 'callflow',
      numbers: [t.calendar],
      patterns: [],
      flow: {
        module: 'calendar',
        data: { calendar_id: 'always-open', on_error: 'closed' },
        children: { open: { module: 'device', data: { id: deviceIds.get(`${k}004`) } }, _: { module: 'hangup', data: { cause: 'CALL_REJECTED' } } },
      },
    });
  }
  await warmViews(store, db);
  return accountId;
}

/**
 * Builds every view index of a database once, as provisioning tooling would before traffic: on a cold
 * PouchDB Server index the first callflow lookup takes longer than the router's store budget.
 */
export async function warmViews(store: Store, dbName: string): Promise<void> {
  const designs = await store.db(dbName).list({ startkey: '_design/', endkey: '_design0', include_docs: true });
  for (const row of designs.rows) {
    const views = Object.keys((row.doc as { views?: Record<string, unknown> } | undefined)?.views ?? {});
    for (const view of views) await store.db(dbName).view(row.id.slice('_design/'.length), view, { limit: 1 });
  }
}
