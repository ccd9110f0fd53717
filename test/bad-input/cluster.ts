// Every whapp and ecallmgr started in this process (as their own tests do), on one private vhost and
// one embedded CouchDB, with an account provisioned so that valid requests get real answers.
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { DEAD_LETTER_QUEUE } from '@fife/bus';
import { accountDbName, newDocId, openStore, startEmbeddedCouch, type EmbeddedCouch, type Store } from '@fife/store';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import { brokerCtl, deleteQueues } from '@fife/testkit';
import { registrarWhapp, type RegistrarRuntime } from '@fife/registrar';
import { callgroupWhapp, putExtension } from '@fife/callgroup';
import { routerWhapp } from '@fife/router';
import { ecallmgrWhapp, type EcallmgrRuntime } from '@fife/ecallmgr';
import { putCalendar } from '@fife/calendar';
// The calendar whapp's factory is not re-exported by its index: imported from its module.
import { createCalendarWhapp } from '../../apps/calendar/src/whapp.js';
import { tempDir } from './support.js';

/** Durable queues the whapps declare under their default names (deleted before and after a run). */
export const SHARED_QUEUES = [
  'fife.registrar.authn',
  'fife.registrar.reg_success',
  'fife.registrar.reg_query',
  'fife.callgroup.plan',
  'fife.calendar.status',
  'fife.calendar.oncall',
  'fife.router.route_req',
  'fife.router.route_req.dry_run',
  DEAD_LETTER_QUEUE,
];

/** Every queue of the campaign's vhost (whapps add durable queues as they grow): one rabbitmqctl call. */
export async function queuesOfVhost(url: string): Promise<string[]> {
  const vhost = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!vhost.startsWith('fife-test-bad-input')) return [];
  const out = await brokerCtl('list_queues', '-p', vhost, 'name').catch(() => '');
  return out.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== 'name');
}

export const ICS_OPEN_ALWAYS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//fife//bad-input//EN',
  'BEGIN:VEVENT',
  'UID:open@bad-input',
  'DTSTAMP:20260101T000000Z',
  'DTSTART:20260101T000000Z',
  'DTEND:20260101T235959Z',
  'RRULE:FREQ=DAILY',
  'SUMMARY:Open',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

export interface Provisioned {
  accountId: string;
  realm: string;
  deviceId: string;
  user: string;
  password: string;
  calendarId: string;
  groupNumber: string;
}

export async function provision(store: Store, label: string): Promise<Provisioned> {
  const realm = `${label}-${nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}.example.org`;
  const accountId = await store.createAccount({ name: `Bad input ${label}`, realm });
  const user = '1001';
  const password = `pw-${nanoid(12)}`;
  const deviceId = await store.createDevice(accountId, { sip: { username: user, password } });
  const flowId = newDocId();
  await store.upsert(accountDbName(accountId), flowId, () => ({ _id: flowId, pvt_type: 'callflow', numbers: [user], patterns: [], flow: { module: 'device', data: { id: deviceId } } }));
  await putCalendar(store, accountId, 'hours', { name: 'Hours', timezone: 'UTC', source: { type: 'inline', ics: ICS_OPEN_ALWAYS } });
  await putExtension(store, accountId, { ext: user });
  await putExtension(store, accountId, { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: user }] }] });
  return { accountId, realm, deviceId, user, password, calendarId: 'hours', groupNumber: '2000' };
}

export interface Cluster {
  couch: EmbeddedCouch;
  store: Store;
  amqpUrl: string;
  registrar: RunningWhapp<any>;
  registrarRuntime: RegistrarRuntime;
  callgroup: RunningWhapp<any>;
  calendar: RunningWhapp<any>;
  router: RunningWhapp<any>;
  ecallmgr: RunningWhapp<any>;
  ecallmgrRuntime: EcallmgrRuntime;
  apps: Array<{ name: string; app: RunningWhapp<any> }>;
  stop(): Promise<void>;
}

/** Starts registrar, callgroup, calendar, router and ecallmgr (no FreeSWITCH node) in this process. */
export async function startCluster(amqpUrl: string, label: string, ecallmgrEnv: Record<string, string> = {}): Promise<Cluster> {
  const dir = await tempDir(label);
  const couch = await startEmbeddedCouch({ dataDir: join(dir.path, 'couch') });
  const store = await openStore({ couchUrl: couch.url });
  await deleteQueues(amqpUrl, SHARED_QUEUES);
  const base = {
    AMQP_URL: amqpUrl,
    COUCH_URL: couch.url,
    FIFE_DATA_DIR: dir.path,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HTTP_PORT: '0',
    DRAIN_TIMEOUT_MS: '2000',
  };
  let registrarRuntime: RegistrarRuntime | undefined;
  let ecallmgrRuntime: EcallmgrRuntime | undefined;
  const started: Array<{ name: string; app: RunningWhapp<any> }> = [];
  const stop = async () => {
    for (const { app } of started.reverse()) await app.stop().catch(() => undefined);
    await store.close();
    await couch.stop();
    await deleteQueues(amqpUrl, [...new Set([...SHARED_QUEUES, ...(await queuesOfVhost(amqpUrl))])]).catch(() => undefined);
    await dir.remove();
  };
  try {
    const node = (app: string) => `${app}-${nanoid(4)}@bad-input`;
    const registrar = await startWhapp(registrarWhapp({ onReady: (r) => (registrarRuntime = r) }), {
      ...base,
      NODE_NAME: node('registrar'),
      REGISTRAR_COMPACT_INTERVAL_MS: '0',
      REGISTRAR_SWEEP_INTERVAL_MS: '0',
      // The campaign runs beside other suites on a shared machine: a slow CouchDB read must not read as an outage.
      REGISTRAR_STORE_TIMEOUT_MS: '5000',
    });
    started.push({ name: 'registrar', app: registrar });
    const callgroup = await startWhapp(callgroupWhapp, { ...base, NODE_NAME: node('callgroup') });
    started.push({ name: 'callgroup', app: callgroup });
    const calendar = await startWhapp(createCalendarWhapp().definition, { ...base, NODE_NAME: node('calendar') });
    started.push({ name: 'calendar', app: calendar });
    const router = await startWhapp(routerWhapp(), { ...base, NODE_NAME: node('router'), ROUTER_DEADLINE_MS: '5000', ROUTER_STORE_TIMEOUT_MS: '4000' });
    started.push({ name: 'router', app: router });
    const ecallmgr = await startWhapp(ecallmgrWhapp({ onReady: (r) => (ecallmgrRuntime = r) }), {
      ...base,
      NODE_NAME: node('ecallmgr'),
      ECALLMGR_XMLCURL_PORT: '0',
      ECALLMGR_NODE_LEASES: 'off',
      ECALLMGR_FS_PASSWORD: `esl-${nanoid(10)}`,
      ...ecallmgrEnv,
    });
    started.push({ name: 'ecallmgr', app: ecallmgr });
    return {
      couch,
      store,
      amqpUrl,
      registrar,
      registrarRuntime: registrarRuntime!,
      callgroup,
      calendar,
      router,
      ecallmgr,
      ecallmgrRuntime: ecallmgrRuntime!,
      apps: [...started],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
