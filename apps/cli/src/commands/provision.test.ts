import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bus, Consumer } from '@fife/bus';
import { calendarProvisioningKind } from '@fife/calendar';
import { callgroupProvisioningKind } from '@fife/callgroup';
import { callflowKind, registrarKinds, serveProvisioning } from '@fife/provisioning';
import { deleteQueues, startBus, tempStore } from '@fife/provisioning/testing';
import { resourceDocSchema } from '@fife/router';
import { accountDbName, type Store } from '@fife/store';
import { repoRoot, testVhost } from '@fife/testkit';
import { capture } from '../output/test-helpers.js';
import { runExport } from './export.js';
import { PROVISION_EXIT, runProvision } from './provision.js';

/**
 * `fife provision` / `fife export` against the kinds the whapps serve, with the whapps' own schemas:
 * one owner per app (registrar, router, callgroup, calendar), each on its own queue, as deployed.
 */
const example = join(repoRoot, 'docs', 'examples', 'provisioning.yaml');
const queues = ['registrar', 'router', 'callgroup', 'calendar'].map((app) => `fife.provisioning.cli-test-${app}-${process.pid}`);

let url: string;
let store: Store;
let closeStore: () => Promise<void>;
let owner: Bus;
let consumers: Consumer[] = [];
let dir: string;

async function provision(file: string, opts: { dryRun?: boolean; json?: boolean } = {}) {
  const io = capture();
  const code = await runProvision(() => url, file, { timeoutMs: 3000, ...opts }, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const summary = (out: string) => out.trim().split('\n').at(-1) ?? '';

before(async () => {
  url = await testVhost('provision-cli');
  ({ store, close: closeStore } = await tempStore('provision-cli'));
  dir = await mkdtemp(join(tmpdir(), 'fife-provision-cli-'));
  owner = await startBus(url, 'owners');
  const [registrar, router, callgroup, calendar] = queues;
  consumers = [
    await serveProvisioning(owner, store, { queue: registrar!, kinds: registrarKinds }),
    await serveProvisioning(owner, store, { queue: router!, kinds: { callflow: callflowKind, resource: { type: 'resource', schema: resourceDocSchema } } }),
    await serveProvisioning(owner, store, { queue: callgroup!, kinds: { callgroup: callgroupProvisioningKind } }),
    await serveProvisioning(owner, store, { queue: calendar!, kinds: { calendar: calendarProvisioningKind } }),
  ];
});

after(async () => {
  for (const c of consumers) await c.cancel();
  await owner?.close();
  await deleteQueues(url, queues).catch(() => undefined);
  await closeStore?.();
  await rm(dir, { recursive: true, force: true });
});

describe('fife provision / fife export', () => {
  test('the example file: dry run writes nothing, then everything is created', async () => {
    const dry = await provision(example, { dryRun: true });
    assert.equal(dry.code, PROVISION_EXIT.ok, dry.out + dry.err);
    assert.match(summary(dry.out), /18 created, 0 changed, 0 unchanged, 0 removed \(dry run: nothing written\)$/);
    assert.deepEqual((await store.db('accounts').list()).rows.filter((r) => !r.id.startsWith('_design/')), []);

    const run = await provision(example);
    assert.equal(run.code, PROVISION_EXIT.ok, run.out + run.err);
    assert.match(summary(run.out), /18 created, 0 changed, 0 unchanged, 0 removed$/);
    assert.match(run.out, /\+ created\s+acme callgroup 2000/);
    const accounts = (await store.db('accounts').list({ include_docs: true })).rows.filter((r) => !r.id.startsWith('_design/'));
    assert.equal(accounts.length, 1);
    const db = accountDbName(accounts[0]!.id);
    const group = (await store.db(db).get('cgext-2000')) as { ranks: Array<{ mode: string; delay: number | null }> };
    assert.deepEqual(group.ranks.map((r) => [r.mode, r.delay ?? null]), [['DEFAULT', null], ['NEXT', 10]]);
  });

  test('applying it again: all unchanged; --json gives the report', async () => {
    const again = await provision(example, { json: true });
    assert.equal(again.code, PROVISION_EXIT.ok, again.err);
    const report = JSON.parse(again.out) as { ok: boolean; counts: Record<string, number> };
    assert.equal(report.ok, true);
    assert.deepEqual(report.counts, { created: 0, changed: 0, unchanged: 18, removed: 0, invalid: 0, failed: 0 });
  });

  test('export round-trips: provisioning the export changes nothing', async () => {
    const io = capture();
    assert.equal(await runExport(() => url, { account: 'acme' }, io), 0, io.stderr());
    const yaml = io.stdout();
    assert.match(yaml, /realm: sip\.acme\.example/);
    assert.match(yaml, /calendar: bob-busy/);
    assert.match(yaml, /user: alice/, 'callflow references come back as names');
    assert.match(yaml, /- ext: "2000"\n\s+type: GROUP/);
    assert.doesNotMatch(yaml, /short_name: null|active: true|pvt_|_rev/, 'defaults and private fields are left out');
    const back = await provision(await fileWith('export.yaml', yaml));
    assert.equal(back.code, PROVISION_EXIT.ok, back.out + back.err);
    assert.match(summary(back.out), /0 created, 0 changed, 18 unchanged, 0 removed$/);
  });

  test('unknown account on export is an error', async () => {
    const io = capture();
    assert.equal(await runExport(() => url, { account: 'nope' }, io), 1);
    assert.match(io.stderr(), /no account named "nope"/);
  });

  test('bad ICS is refused by the calendar owner, naming the document and field; nothing is written', async () => {
    const before = (await store.db('accounts').list()).rows.length;
    const file = await fileWith(
      'bad-ics.yaml',
      `accounts:
  - name: beta
    realm: sip.beta.example
    devices:
      - { name: desk, username: "2001", password: pw }
    calendars:
      - name: broken
        ics: |
          BEGIN:VCALENDAR
          BEGIN:VEVENT
          DTSTART:not-a-date
          END:VEVENT
`,
    );
    const run = await provision(file);
    assert.equal(run.code, PROVISION_EXIT.refused);
    assert.match(run.out, /bad-ics\.yaml:8: account "beta" › calendar "broken": ics: /);
    assert.match(summary(run.out), /1 invalid, 0 failed \(nothing written\)$/);
    assert.equal((await store.db('accounts').list()).rows.length, before, 'not even the valid account was written');
  });

  test('a NEXT rank without a delay is refused by the callgroup owner', async () => {
    const file = await fileWith(
      'bad-rank.yaml',
      `accounts:
  - name: gamma
    realm: sip.gamma.example
    callgroups:
      - ext: "3000"
        type: GROUP
        ranks:
          - members: [{ ext: "3001" }]
          - mode: NEXT
            members: [{ ext: "3002" }]
`,
    );
    const run = await provision(file);
    assert.equal(run.code, PROVISION_EXIT.refused);
    assert.match(run.out, /bad-rank\.yaml:9: account "gamma" › callgroup "3000": ranks\.1\.delay: a NEXT rank needs a delay/);
  });

  test('an invalid file exits 2 before talking to anybody', async () => {
    const file = await fileWith('typo.yaml', 'accounts:\n  - name: delta\n    realm: sip.delta.example\n    devices:\n      - { name: d, usernme: "1", password: x }\n');
    const io = capture();
    const code = await runProvision(() => assert.fail('no broker needed for a bad file'), file, {}, io);
    assert.equal(code, PROVISION_EXIT.invalidFile);
    assert.match(io.stderr(), /typo\.yaml:5: account "delta" › device "d": usernme: unknown field/);
    assert.match(io.stderr(), /typo\.yaml:5: account "delta" › device "d": username: is required/);
  });
});
