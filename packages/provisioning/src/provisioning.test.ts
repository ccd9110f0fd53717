import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { isFifeError } from '@fife/api';
import type { Bus, Consumer } from '@fife/bus';
import { ACCOUNTS_DB, accountDbName, type Store, type StoredDoc } from '@fife/store';
import { applyFile, type ApplyReport } from './apply.js';
import { busPort } from './bus-port.js';
import { exportAccounts, toYaml } from './export.js';
import { stableId } from './kinds.js';
import { parseProvisioningText } from './parse-file.js';
import type { ProvisioningPort } from './port.js';
import { serveProvisioning, type OwnedKind } from './serve.js';
import { callflowKind, registrarKinds } from './store-kinds.js';
import { deleteQueues, startBus, tempStore } from './testing.js';
import { testVhost } from '@fife/testkit';

// Stand-ins for the app-owned kinds (their real schemas are exercised by apps/cli's provision test).
const testKinds: Record<string, OwnedKind> = {
  calendar: { type: 'calendar', schema: z.looseObject({ name: z.string(), source: z.looseObject({ type: z.enum(['inline', 'remote']) }) }) },
  callgroup: {
    type: 'callgroup_extension',
    schema: z.looseObject({ ext: z.string().regex(/^\d+$/) }),
    idFor: (doc) => (typeof doc.ext === 'string' ? `cgext-${doc.ext}` : undefined),
  },
  resource: { type: 'resource', schema: z.looseObject({ name: z.string(), rules: z.array(z.string()).min(1) }) },
};

const QUEUE = `fife.provisioning.test-${process.pid}`;
const SILENT_QUEUE = `fife.provisioning.silent-${process.pid}`;

let url: string;
let store: Store;
let closeStore: () => Promise<void>;
let owner: Bus;
let client: Bus;
let consumer: Consumer;
let port: ProvisioningPort;

const acmeId = stableId('account', 'acme');

function fileText(opts: { alicePassword?: string; withBob?: boolean; realm?: string } = {}): string {
  const bob = opts.withBob ?? true;
  return `accounts:
  - name: acme
    realm: ${opts.realm ?? 'sip.acme.example'}
    devices:
      - { name: alice-desk, username: "1001", password: ${opts.alicePassword ?? 'alice-1'} }
${bob ? '      - { name: bob-desk, username: "1002", password: bob-1 }\n' : ''}      - { name: lobby, username: "1003", ip: 192.0.2.30 }
    users:
      - name: alice
        devices: [alice-desk]
        forward: { after: { seconds: 15, to: "1002" }, busy: "2000" }
${bob ? '      - { name: bob, devices: [bob-desk], call_waiting: false }\n' : ''}    callgroups:
      - { ext: "2000", type: GROUP, ranks: [{ members: [{ ext: "1001" }] }, { mode: NEXT, delay: 10, members: [{ ext: "1002" }] }] }
    calendars:
      - { name: hours, feed: "https://calendar.example/hours.ics" }
    resources:
      - { name: carrier, rules: ['^\\+'], gateways: [{ server: sip.carrier.example }] }
    callflows:
      - { name: alice, numbers: ["1001"], flow: { module: user, data: { user: alice } } }
${bob ? '      - { name: bob, numbers: ["1002"], flow: { module: user, data: { user: bob } } }\n' : ''}`;
}

function parse(text: string, file = 'acme.yaml') {
  const parsed = parseProvisioningText(text, file);
  if (!parsed.ok) assert.fail(parsed.error.map((i) => `${i.line} ${i.document} ${i.field}: ${i.message}`).join('\n'));
  return parsed.value;
}

async function apply(text: string, dryRun = false): Promise<ApplyReport> {
  return applyFile(parse(text), port, { dryRun });
}

async function get(db: string, id: string): Promise<StoredDoc | undefined> {
  try {
    return (await store.db(db).get(id)) as StoredDoc;
  } catch {
    return undefined;
  }
}

async function revisions(): Promise<Map<string, string>> {
  const rows = (await store.db(accountDbName(acmeId)).list()).rows;
  return new Map(rows.filter((r) => !r.id.startsWith('_design/')).map((r) => [r.id, r.value.rev]));
}

const actions = (r: ApplyReport) => r.entries.map((e) => `${e.action} ${e.kind} ${e.name}`).sort();

before(async () => {
  url = await testVhost('provisioning');
  ({ store, close: closeStore } = await tempStore('provisioning'));
  owner = await startBus(url, 'owner');
  client = await startBus(url, 'client');
  consumer = await serveProvisioning(owner, store, { queue: QUEUE, kinds: { ...registrarKinds, callflow: callflowKind, ...testKinds } });
  port = busPort(client, { timeoutMs: 3000 });
});

after(async () => {
  await consumer?.cancel();
  await client?.close();
  await owner?.close();
  await deleteQueues(url, [QUEUE, SILENT_QUEUE]).catch(() => undefined);
  await closeStore?.();
});

describe('apply a provisioning file through the owners', () => {
  test('first apply creates every document, with stable ids and references resolved', async () => {
    const report = await apply(fileText());
    assert.equal(report.ok, true, JSON.stringify(report.entries.filter((e) => e.message)));
    assert.deepEqual(report.counts, { created: 11, changed: 0, unchanged: 0, removed: 0, invalid: 0, failed: 0 });
    const account = await get(ACCOUNTS_DB, acmeId);
    assert.equal(account?.realm, 'sip.acme.example');
    const db = accountDbName(acmeId);
    const desk = await get(db, stableId('device', 'alice-desk'));
    assert.equal(desk?.owner_id, stableId('user', 'alice'));
    assert.equal(desk?.pvt_provisioned, true);
    const lobby = await get(db, stableId('device', 'lobby'));
    assert.deepEqual(lobby?.sip, { username: '1003', method: 'ip', ip: '192.0.2.30' });
    const group = await get(db, 'cgext-2000');
    assert.equal(group?.pvt_type, 'callgroup_extension');
    const flow = (await get(db, stableId('callflow', 'alice')))?.flow as { data: { id: string } };
    assert.equal(flow.data.id, stableId('user', 'alice'));
  });

  test('re-applying the same file changes nothing', async () => {
    const before = await revisions();
    const report = await apply(fileText());
    assert.deepEqual(report.counts, { created: 0, changed: 0, unchanged: 11, removed: 0, invalid: 0, failed: 0 });
    assert.deepEqual(await revisions(), before);
  });

  test('a dry run reports the change and writes nothing', async () => {
    const before = await revisions();
    const report = await apply(fileText({ alicePassword: 'alice-2' }), true);
    assert.deepEqual(actions(report).filter((a) => !a.startsWith('unchanged')), ['changed device alice-desk']);
    assert.equal(report.dryRun, true);
    assert.deepEqual(await revisions(), before);
    const desk = await get(accountDbName(acmeId), stableId('device', 'alice-desk'));
    assert.equal((desk?.sip as { password: string }).password, 'alice-1');
  });

  test('an edit changes only the edited document', async () => {
    const report = await apply(fileText({ alicePassword: 'alice-2' }));
    assert.deepEqual(actions(report).filter((a) => !a.startsWith('unchanged')), ['changed device alice-desk']);
    const desk = await get(accountDbName(acmeId), stableId('device', 'alice-desk'));
    assert.equal((desk?.sip as { password: string }).password, 'alice-2');
    assert.ok(typeof desk?.pvt_created === 'string', 'the creation stamp is kept');
  });

  test('documents the file created but no longer lists are removed; others are left alone', async () => {
    const db = accountDbName(acmeId);
    const foreign = await store.createDevice(acmeId, { name: 'made-elsewhere', sip: { username: '1999', password: 'x' } });
    const dry = await apply(fileText({ alicePassword: 'alice-2', withBob: false }), true);
    assert.deepEqual(actions(dry).filter((a) => !a.startsWith('unchanged')), ['removed callflow bob', 'removed device bob-desk', 'removed user bob']);
    assert.ok(await get(db, stableId('user', 'bob')), 'the dry run removed nothing');
    const report = await apply(fileText({ alicePassword: 'alice-2', withBob: false }));
    assert.deepEqual(actions(report).filter((a) => !a.startsWith('unchanged')), ['removed callflow bob', 'removed device bob-desk', 'removed user bob']);
    assert.equal(await get(db, stableId('user', 'bob')), undefined);
    assert.equal(await get(db, stableId('device', 'bob-desk')), undefined);
    assert.ok(await get(db, foreign), 'a document the file did not create is never removed');
  });

  test('export, then apply the export: every document unchanged', async () => {
    // A user made another way, without a name: exported under a placeholder name with its id.
    await store.upsert(accountDbName(acmeId), 'zed-user-id', () => ({ pvt_type: 'user', first_name: 'Zed' }));
    const exported = await exportAccounts(port, { account: 'acme' });
    const yaml = toYaml(exported);
    assert.match(yaml, /name: made-elsewhere/);
    assert.match(yaml, /- name: user-zed-user-id\n\s+id: zed-user-id\n\s+first_name: Zed/);
    assert.match(yaml, /after:\n\s+seconds: 15\n\s+to: "1002"/);
    const report = await applyFile(parse(yaml, 'export.yaml'), port);
    assert.equal(report.ok, true);
    assert.deepEqual(report.counts, { created: 0, changed: 0, unchanged: 10, removed: 0, invalid: 0, failed: 0 });
  });

  test('a document its owner refuses stops the run before anything is written, naming the field and line', async () => {
    const before = await revisions();
    const report = await apply(fileText({ alicePassword: 'alice-3', realm: 'bad realm!' }));
    assert.equal(report.ok, false);
    assert.equal(report.written, false);
    assert.equal(report.entries.length, 1);
    const [refused] = report.entries;
    assert.equal(refused!.action, 'invalid');
    assert.deepEqual({ ...refused!.issue, message: undefined }, { file: 'acme.yaml', document: 'account "acme"', field: 'realm', line: 3, message: undefined });
    assert.match(refused!.issue!.message, /host name or IP/);
    assert.deepEqual(await revisions(), before);
  });

  test('a realm held by another account is refused by the account owner', async () => {
    const other = await store.createAccount({ name: 'other', realm: 'sip.other.example' });
    const outcome = await port.put({ kind: 'account', id: stableId('account', 'x'), document: { name: 'x', realm: 'SIP.other.example' }, dryRun: true });
    assert.equal(outcome.status, 'invalid');
    assert.equal(outcome.status === 'invalid' && outcome.field, 'realm');
    assert.match(outcome.status === 'invalid' ? outcome.message : '', new RegExp(other));
  });
});

describe('the owner refuses bad requests with an answer', () => {
  test('no account, a wrong kind, an account removal, no id', async () => {
    const noAccount = await port.put({ kind: 'device', id: 'd1', document: { sip: { username: 'u', password: 'p' } } });
    assert.deepEqual(noAccount.status === 'invalid' && noAccount.field, 'Account-ID');
    const noId = await port.put({ kind: 'device', accountId: acmeId, document: { sip: { username: 'u', password: 'p' } } });
    assert.match(noId.status === 'invalid' ? noId.message : '', /no Document-ID/);
    await assert.rejects(port.remove({ kind: 'user', accountId: acmeId, id: stableId('device', 'alice-desk') }), /is a device, not a user/);
    await assert.rejects(port.remove({ kind: 'account', id: acmeId }), /account documents are not removed/);
    assert.ok(await get(accountDbName(acmeId), stableId('device', 'alice-desk')), 'nothing was removed');
    const derived = await port.put({ kind: 'callgroup', accountId: acmeId, document: { ext: '2000', type: 'GROUP' }, dryRun: true });
    assert.deepEqual(derived.status !== 'invalid' && [derived.id, derived.status], ['cgext-2000', 'changed']);
  });
});

describe('kinds without an owner', () => {
  test('a kind nobody binds fails at once, naming the kind', async () => {
    const started = Date.now();
    await assert.rejects(port.list({ kind: 'nobody', accountId: acmeId }), (err) => {
      assert.ok(isFifeError(err, 'provisioning.no_owner'));
      assert.match(err.message, /no whapp serves document kind "nobody"/);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
  });

  test('a kind whose owner is bound but not running times out with a clear error', async () => {
    const conn = await (await import('amqplib')).default.connect(url);
    const ch = await conn.createChannel();
    await ch.assertQueue(SILENT_QUEUE, { durable: false, autoDelete: false });
    await ch.bindQueue(SILENT_QUEUE, 'fife', 'provisioning.put.silent');
    await conn.close();
    const quick = busPort(client, { timeoutMs: 300 });
    await assert.rejects(quick.put({ kind: 'silent', accountId: acmeId, id: 'x', document: {} }), (err) => {
      assert.ok(isFifeError(err, 'provisioning.no_owner'));
      assert.match(err.message, /no answer for document kind "silent" within 300 ms/);
      return true;
    });
  });
});
