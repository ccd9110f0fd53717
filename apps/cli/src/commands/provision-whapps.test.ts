import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createCalendarWhapp } from '@fife/calendar';
import { FifeClient } from '@fife/client';
import { callgroupWhapp } from '@fife/callgroup';
import { deleteQueues, tempStore } from '@fife/provisioning/testing';
import { registrarWhapp } from '@fife/registrar';
import { routerWhapp } from '@fife/router';
import type { Store } from '@fife/store';
import { repoRoot, testVhost } from '@fife/testkit';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import { PROVISION_EXIT, runProvision, type ProvisionIo } from './provision.js';

/** The same example file, served by the real whapps (their setup wires the provisioning owners). */
const example = join(repoRoot, 'docs', 'examples', 'provisioning.yaml');
const tag = `pw${process.pid}`;
const queues = {
  REGISTRAR_QUEUE_PREFIX: `fife.registrar.${tag}`,
  ROUTER_QUEUE: `fife.router.${tag}`,
  CALLGROUP_QUEUE: `fife.callgroup.${tag}`,
  CALENDAR_STATUS_QUEUE: `fife.calendar.status.${tag}`,
  CALENDAR_ONCALL_QUEUE: `fife.calendar.oncall.${tag}`,
};

let url: string;
let store: Store;
let closeStore: () => Promise<void>;
const apps: Array<RunningWhapp<any>> = [];

before(async () => {
  url = await testVhost('provision-whapps');
  ({ store, close: closeStore } = await tempStore('provision-whapps'));
  // Generous routing deadlines: the first calendar and callgroup answers build their indexes cold.
  const deadlines = { ROUTER_DEADLINE_MS: '8000', ROUTER_CALENDAR_TIMEOUT_MS: '3000', ROUTER_CALLGROUP_TIMEOUT_MS: '3000', ROUTER_STORE_TIMEOUT_MS: '2000' };
  const env = { AMQP_URL: url, COUCH_URL: store.url, LOG_LEVEL: 'silent', HTTP_PORT: '0', ...queues, ...deadlines };
  apps.push(await startWhapp(registrarWhapp() as never, env));
  apps.push(await startWhapp(routerWhapp() as never, env));
  apps.push(await startWhapp(callgroupWhapp as never, env));
  apps.push(await startWhapp(createCalendarWhapp().definition as never, env));
});

after(async () => {
  for (const app of apps.reverse()) await app.stop();
  const provisioningQueues = [
    `${queues.REGISTRAR_QUEUE_PREFIX}.provisioning`,
    `${queues.ROUTER_QUEUE}.provisioning`,
    `${queues.CALLGROUP_QUEUE}.provisioning`,
    `${queues.CALENDAR_STATUS_QUEUE}.provisioning`,
  ];
  await deleteQueues(url, [...Object.values(queues), ...provisioningQueues]).catch(() => undefined);
  await closeStore?.();
});

test('the whapps serve their kinds: the example is created, then unchanged', async () => {
  let out = '';
  let err = '';
  const io: ProvisionIo = { out: (t) => void (out += t), err: (t) => void (err += t) };
  assert.equal(await runProvision(() => url, example, { timeoutMs: 5000 }, io), PROVISION_EXIT.ok, out + err);
  assert.match(out, /18 created, 0 changed, 0 unchanged, 0 removed\n$/);
  out = '';
  assert.equal(await runProvision(() => url, example, { timeoutMs: 5000 }, io), PROVISION_EXIT.ok, out + err);
  assert.match(out, /0 created, 0 changed, 18 unchanged, 0 removed\n$/);
});

test('what was provisioned routes: the support number follows the business-hours calendar', async () => {
  const client = await FifeClient.connect({ url, appName: 'provision-whapps-test' });
  try {
    const ask = (at: string) => client.routes.dryRun({ to: '+3225550000', from: '1001@sip.acme.example', at, timeoutMs: 5000 });
    const open = await ask('2026-11-24T10:00:00Z'); // a Tuesday, 11:00 in Brussels
    assert.ok(open.reasons.some((r) => /calendar Support hours open/.test(r)), open.reasons.join('\n'));
    assert.ok(open.reasons.some((r) => /callgroup 2000/.test(r) && !/did not answer/.test(r)), open.reasons.join('\n'));
    const closed = await ask('2026-11-22T10:00:00Z'); // a Sunday
    assert.ok(closed.reasons.some((r) => /calendar Support hours closed/.test(r)), closed.reasons.join('\n'));
  } finally {
    await client.close();
  }
});
