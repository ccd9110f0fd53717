import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { upsert } from './upsert.js';
import { bulkWrite } from './bulk.js';
import { ensureDatabase } from './databases.js';
import { withCouch } from './test-support.js';

type Counter = { _id?: string; _rev?: string; count: number; writers: string[] };

test('20 concurrent upserts of one document lose no update and never surface a conflict', async () => {
  await withCouch('upsert', async (_couch, server) => {
    await ensureDatabase(server, 'counters');
    const db = server.use('counters');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        upsert<Counter>(db, 'hot', (current) => ({
          count: (current?.count ?? 0) + 1,
          writers: [...(current?.writers ?? []), `w${i}`],
        })),
      ),
    );
    const stored = (await db.get('hot')) as unknown as Counter;
    assert.equal(stored.count, 20);
    assert.equal(new Set(stored.writers).size, 20);
    assert.ok(results.every((r) => r.written));
    assert.ok(results.some((r) => r.attempts > 1), 'the test must actually have produced conflicts');
  });
});

test('upsert writing what is stored is a no-op; null deletes', async () => {
  await withCouch('noop', async (_couch, server) => {
    await ensureDatabase(server, 'things');
    const db = server.use('things');
    const first = await upsert(db, 'x', () => ({ value: 1 }));
    const again = await upsert(db, 'x', () => ({ value: 1 }));
    assert.equal(first.written, true);
    assert.equal(again.written, false);
    assert.equal(again.rev, first.rev);
    const gone = await upsert(db, 'x', () => null);
    assert.equal(gone.written, true);
    await assert.rejects(db.get('x'), (error: { statusCode?: number }) => error.statusCode === 404);
    const recreated = await upsert(db, 'x', (current) => ({ value: current === undefined ? 'fresh' : 'stale' }));
    assert.equal(recreated.doc?.value, 'fresh');
  });
});

test('an invalid typed document is refused with the field named, and nothing is written', async () => {
  await withCouch('invalid', async (_couch, server) => {
    await ensureDatabase(server, 'devices');
    const db = server.use('devices');
    await assert.rejects(
      upsert(db, 'd1', () => ({ pvt_type: 'device', sip: { username: '', password: 'x' } })),
      (error: unknown) => isFifeError(error, 'store.invalid_document') && error.context.field === 'sip.username' && /sip\.username/.test(error.message),
    );
    await assert.rejects(
      upsert(db, 'd2', () => ({ pvt_type: 'device', sip: { username: '1001', method: 'ip' } })),
      (error: unknown) => isFifeError(error, 'store.invalid_document') && error.context.field === 'sip.ip',
    );
    await assert.rejects(db.get('d1'), (error: { statusCode?: number }) => error.statusCode === 404);
    await upsert(db, 'd3', () => ({ pvt_type: 'device', sip: { username: '1001', password: 'pw' } }));
    const stored = (await db.get('d3')) as unknown as { enabled: boolean; sip: { method: string } };
    assert.equal(stored.enabled, true, 'schema defaults are applied on write');
    assert.equal(stored.sip.method, 'password');
  });
});

test('bulkWrite retries a conflicting document and reports an invalid one', async () => {
  await withCouch('bulk', async (_couch, server) => {
    await ensureDatabase(server, 'bulk');
    const db = server.use('bulk');
    await db.insert({ _id: 'taken', value: 'old' } as never);
    const report = await bulkWrite(db, [
      { _id: 'taken', value: 'new' }, // no _rev: conflicts on the first round
      { _id: 'fresh', value: 1 },
      { _id: 'bad', pvt_type: 'account', name: 'No realm' },
    ]);
    assert.deepEqual(report.written.map((w) => w.id).sort(), ['fresh', 'taken']);
    assert.equal(report.retriedConflicts, 1);
    assert.equal(report.failed.length, 1);
    assert.equal(report.failed[0]?.id, 'bad');
    assert.equal(report.failed[0]?.error, 'store.invalid_document');
    assert.equal(report.failed[0]?.field, 'realm');
    assert.equal(((await db.get('taken')) as unknown as { value: string }).value, 'new');
    await assert.rejects(db.get('bad'), (error: { statusCode?: number }) => error.statusCode === 404);
  });
});

test('bulkWrite resolver merges with the stored document instead of overwriting', async () => {
  await withCouch('merge', async (_couch, server) => {
    await ensureDatabase(server, 'merge');
    const db = server.use('merge');
    await db.insert({ _id: 'm', tags: ['a'] } as never);
    const report = await bulkWrite(db, [{ _id: 'm', tags: ['b'] }], {
      resolve: (current, wanted) => ({ ...wanted, tags: [...((current?.tags as string[]) ?? []), ...(wanted.tags as string[])] }),
    });
    assert.equal(report.failed.length, 0);
    assert.deepEqual(((await db.get('m')) as unknown as { tags: string[] }).tags, ['a', 'b']);
  });
});
