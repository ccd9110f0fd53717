import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { isFifeError } from '@fife/api';
import type { Bus, Consumer } from '@fife/bus';
import { callflowKind, registrarKinds, serveProvisioning, stableId } from '@fife/provisioning';
import { deleteQueues, startBus, tempStore } from '@fife/provisioning/testing';
import type { Store } from '@fife/store';
import { FifeClient } from './index.js';
import { testVhost } from '@fife/testkit';

/** client.provisioning against a real owner (the registrar's and router's store kinds) in a vhost of its own. */
const QUEUE = `fife.provisioning.sdk-test-${process.pid}`;
let url: string;
let store: Store;
let closeStore: () => Promise<void>;
let owner: Bus;
let consumer: Consumer;
let client: FifeClient;

before(async () => {
  url = await testVhost('provisioning-sdk');
  ({ store, close: closeStore } = await tempStore('provisioning-sdk'));
  owner = await startBus(url, 'owner');
  // Export asks every kind; the app-owned ones are stood in for (nothing of them in this file).
  const stub = (type: string) => ({ type, schema: z.looseObject({}) });
  const others = { calendar: stub('calendar'), callgroup: stub('callgroup_extension'), resource: stub('resource') };
  consumer = await serveProvisioning(owner, store, { queue: QUEUE, kinds: { ...registrarKinds, callflow: callflowKind, ...others } });
  client = await FifeClient.connect({ url, appName: 'sdk-provisioning-test' });
});

after(async () => {
  await client?.close();
  await consumer?.cancel();
  await owner?.close();
  await deleteQueues(url, [QUEUE]).catch(() => undefined);
  await closeStore?.();
});

const yaml = `accounts:
  - name: sdk
    realm: sip.sdk.example
    devices:
      - { name: desk, username: "1001", password: pw }
    users:
      - { name: ann, devices: [desk], forward: { immediate: "1002" } }
    callflows:
      - { name: ann, numbers: ["1001"], flow: { module: user, data: { user: ann } } }
`;

test('apply, export, and apply the export again', async () => {
  const first = await client.provisioning.apply(yaml, { file: 'sdk.yaml' });
  assert.deepEqual(first.counts, { created: 4, changed: 0, unchanged: 0, removed: 0, invalid: 0, failed: 0 });
  const exported = await client.provisioning.exportYaml({ account: 'sdk' });
  assert.match(exported, /immediate: "1002"/);
  const again = await client.provisioning.apply(exported);
  assert.deepEqual(again.counts, { created: 0, changed: 0, unchanged: 4, removed: 0, invalid: 0, failed: 0 });
});

test('one document at a time: put, list, remove; a refused put names the field', async () => {
  const accountId = stableId('account', 'sdk');
  const id = stableId('device', 'extra');
  const put = await client.provisioning.put({ kind: 'device', accountId, id, document: { name: 'extra', sip: { username: '1009', password: 'x' } } });
  assert.equal(put.status, 'created');
  const devices = await client.provisioning.list({ kind: 'device', accountId });
  assert.deepEqual(devices.map((d) => d.name).sort(), ['desk', 'extra']);
  const clash = await client.provisioning.put({ kind: 'device', accountId, id: stableId('device', 'x2'), document: { sip: { username: '1009', password: 'y' } } });
  assert.equal(clash.status, 'invalid');
  assert.equal(clash.status === 'invalid' && clash.field, 'sip.username');
  assert.deepEqual(await client.provisioning.remove({ kind: 'device', accountId, id }), { status: 'removed', id });
  assert.deepEqual(await client.provisioning.remove({ kind: 'device', accountId, id }), { status: 'absent', id });
});

test('an invalid file throws with every issue', async () => {
  await assert.rejects(client.provisioning.apply('accounts:\n  - name: x\n', { file: 'x.yaml' }), (err) => {
    assert.ok(isFifeError(err, 'provisioning.invalid_file'));
    assert.match(err.message, /x\.yaml:2: account "x": realm: is required/);
    return true;
  });
});
