import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultViewsDir, loadDesignDocs, syncDesignDocs } from './design-docs.js';
import { ensureDatabase } from './databases.js';
import { aorKey } from './documents/registration.js';
import { tempDir, withCouch } from './test-support.js';

test('the design documents of every database kind load from couchdb-views/', async () => {
  const names = async (kind: 'accounts' | 'account' | 'registrations') => (await loadDesignDocs(kind)).map((d) => d._id);
  assert.ok((await names('accounts')).includes('_design/accounts'));
  assert.ok((await names('registrations')).includes('_design/registrations'));
  assert.ok((await names('account')).includes('_design/devices'));
  const [registrations] = await loadDesignDocs('registrations');
  assert.equal(registrations?.views.by_account?.reduce, '_count');
  assert.match(registrations?.views.by_aor?.map ?? '', /^function \(doc\)/);
});

test('design-doc sync creates, then changes nothing, then updates only the edited design doc', async () => {
  const views = await tempDir('views');
  try {
    await cp(defaultViewsDir, views.path, { recursive: true });
    await withCouch('sync', async (_couch, server) => {
      await ensureDatabase(server, 'account_0123456789abcdef0123456789abcdef');
      const dbName = 'account_0123456789abcdef0123456789abcdef';
      const first = await syncDesignDocs(server, 'account', dbName, { viewsDir: views.path });
      assert.ok(first.created.length >= 5, `created ${first.created.join(', ')}`);
      assert.deepEqual(first.updated, []);

      const second = await syncDesignDocs(server, 'account', dbName, { viewsDir: views.path });
      assert.deepEqual(second.created, []);
      assert.deepEqual(second.updated, []);
      assert.deepEqual([...second.unchanged].sort(), [...first.created].sort());
      const revBefore = (await server.use(dbName).get('_design/devices'))._rev;

      const mapFile = join(views.path, 'account', 'devices', 'views', 'by_sip_username', 'map.js');
      await writeFile(mapFile, (await readFile(mapFile, 'utf8')).replace('toLowerCase()', 'toUpperCase()'));
      const third = await syncDesignDocs(server, 'account', dbName, { viewsDir: views.path });
      assert.deepEqual(third.updated, ['_design/devices']);
      assert.equal(third.unchanged.length, first.created.length - 1);
      const stored = (await server.use(dbName).get('_design/devices')) as unknown as { _rev: string; views: Record<string, { map: string }> };
      assert.notEqual(stored._rev, revBefore);
      assert.match(stored.views.by_sip_username?.map ?? '', /toUpperCase/);
    });
  } finally {
    await views.remove();
  }
});

test('views answer: realm lookup is case-insensitive, registrations are found by AOR and expiry', async () => {
  await withCouch('views', async (_couch, server) => {
    await ensureDatabase(server, 'accounts');
    await syncDesignDocs(server, 'accounts', 'accounts');
    const accounts = server.use('accounts');
    await accounts.insert({ _id: 'a'.repeat(32), pvt_type: 'account', name: 'Acme', realm: 'Sip.Acme.COM', enabled: true } as never);
    await accounts.insert({ _id: 'b'.repeat(32), pvt_type: 'account', name: 'Other', realm: 'other.example', enabled: true } as never);
    const byRealm = await accounts.view('accounts', 'by_realm', { key: 'sip.acme.com' });
    assert.deepEqual(byRealm.rows.map((r) => r.id), ['a'.repeat(32)]);
    assert.deepEqual((await accounts.view('accounts', 'by_realm', { key: 'SIP.ACME.COM' })).rows, [], 'keys are stored lowercased');

    await ensureDatabase(server, 'registrations');
    await syncDesignDocs(server, 'registrations', 'registrations');
    const regs = server.use('registrations');
    const reg = (user: string, contact: string, expiresAt: number) => ({
      pvt_type: 'registration', username: user, realm: 'Sip.Acme.com', contact, expires: 300, expires_at: expiresAt, account_id: 'a'.repeat(32),
    });
    await regs.bulk({ docs: [reg('1001', 'sip:1001@10.0.0.1', 1000), reg('1001', 'sip:1001@10.0.0.2', 2000), reg('1002', 'sip:1002@10.0.0.3', 3000)] });
    const byAor = await regs.view('registrations', 'by_aor', { key: aorKey('1001', 'SIP.ACME.COM') });
    assert.deepEqual(byAor.rows.map((r) => (r.value as { contact: string }).contact).sort(), ['sip:1001@10.0.0.1', 'sip:1001@10.0.0.2']);
    const expired = await regs.view('registrations', 'by_expiry', { endkey: 2500 });
    assert.equal(expired.rows.length, 2);
    const perAccount = await regs.view('registrations', 'by_account', { key: 'a'.repeat(32) });
    assert.equal(perAccount.rows[0]?.value, 3);
  });
});

test('every view in couchdb-views compiles and indexes the documents it is meant for', async () => {
  await withCouch('allviews', async (_couch, server) => {
    const dbName = 'account_' + 'c'.repeat(32);
    await ensureDatabase(server, dbName);
    await syncDesignDocs(server, 'account', dbName);
    const db = server.use(dbName);
    await db.bulk({
      docs: [
        { _id: 'dev1', pvt_type: 'device', sip: { username: 'Alice', password: 'x' }, owner_id: 'u'.repeat(32) },
        { _id: 'trunk', pvt_type: 'device', sip: { username: 'pbx', method: 'ip', ip: '192.0.2.1' } },
        { _id: 'u1', pvt_type: 'user', username: 'Alice', first_name: 'Alice' },
        { _id: 'cf1', pvt_type: 'callflow', numbers: ['1000', '1001'], patterns: ['^2\\d{3}$'], flow: { module: 'device' } },
        { _id: 'cg1', pvt_type: 'callgroup', name: 'Sales' },
        { _id: 'cal1', pvt_type: 'calendar', name: 'Office hours' },
        { _id: 'res1', pvt_type: 'resource', name: 'Carrier' },
      ],
    });
    const expected: Record<string, Record<string, string[]>> = {
      devices: { by_sip_username: ['dev1', 'trunk'], by_ip: ['trunk'], by_owner: ['dev1'] },
      users: { by_username: ['u1'] },
      callflows: { by_number: ['cf1', 'cf1'], by_pattern: ['cf1'] },
      callgroups: { by_name: ['cg1'] },
      calendars: { by_name: ['cal1'] },
      resources: { by_name: ['res1'] },
    };
    const checked: string[] = [];
    for (const design of await loadDesignDocs('account')) {
      const name = design._id.slice('_design/'.length);
      for (const view of Object.keys(design.views)) {
        // Views other packages added are only required to compile and run here.
        const rows = (await db.view(name, view, design.views[view]?.reduce ? { reduce: false } : {})).rows.map((r) => r.id).sort();
        const wanted = expected[name]?.[view];
        if (!wanted) continue;
        assert.deepEqual(rows, wanted, `${name}/${view}`);
        checked.push(`${name}/${view}`);
      }
    }
    const all = Object.entries(expected).flatMap(([design, views]) => Object.keys(views).map((v) => `${design}/${v}`));
    assert.deepEqual(checked.sort(), all.sort(), 'every view Fife relies on exists');
    const byNumber = await db.view('callflows', 'by_number', { key: '1001' });
    assert.deepEqual(byNumber.rows.map((r) => r.id), ['cf1']);
  });
});

test('two processes syncing the same design documents at once both succeed without duplicating work', async () => {
  await withCouch('race', async (_couch, server) => {
    await ensureDatabase(server, 'registrations');
    const [a, b] = await Promise.all([
      syncDesignDocs(server, 'registrations', 'registrations'),
      syncDesignDocs(server, 'registrations', 'registrations'),
    ]);
    assert.equal(a.created.length + b.created.length, 1, 'exactly one of them created the design document');
    assert.equal(a.unchanged.length + b.unchanged.length, 1, 'the other found it already up to date');
  });
});
