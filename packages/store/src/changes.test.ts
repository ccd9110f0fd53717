import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import nano from 'nano';
import { ChangesWatcher } from './changes-watcher.js';
import { DocCache } from './doc-cache.js';
import { ensureDatabase } from './databases.js';
import { spawnEmbeddedCouch } from './embedded-process.js';
import { eventually, tempDir, withCouch } from './test-support.js';

test('the cache is invalidated through the changes feed within 1 s of another client editing the document', async () => {
  await withCouch('cache', async (couch, server) => {
    await ensureDatabase(server, 'conf');
    const db = server.use('conf');
    await db.insert({ _id: 'dev', name: 'before' } as never);
    const watcher = new ChangesWatcher(server, 'conf');
    await watcher.start();
    const cache = new DocCache(db, watcher);
    try {
      assert.equal((await cache.get<{ name: string }>('dev'))?.name, 'before');
      assert.equal((await cache.get<{ name: string }>('dev'))?.name, 'before');
      assert.equal(cache.stats().hits, 1, 'the second read is served from memory');
      assert.equal(await cache.get('missing'), undefined);
      assert.equal(await cache.get('missing'), undefined);
      assert.equal(cache.stats().hits, 2, 'absent documents are cached too');

      // Another client, with its own connection, edits the documents behind the cache's back.
      const other = nano(couch.url).use('conf');
      const current = await other.get('dev');
      await other.insert({ ...current, name: 'after' } as never);
      await other.insert({ _id: 'missing', name: 'now here' } as never);

      const elapsed = await eventually(async () => (await cache.get<{ name: string }>('dev'))?.name === 'after', 1000, 'the edit to be seen');
      assert.ok(elapsed < 1000);
      await eventually(async () => (await cache.get<{ name: string }>('missing'))?.name === 'now here', 1000, 'the created document');
      assert.ok(cache.stats().invalidations >= 2);
    } finally {
      cache.close();
      await watcher.stop();
    }
  });
});

test('cached view answers are dropped when any document of the database changes', async () => {
  await withCouch('views', async (_couch, server) => {
    await ensureDatabase(server, 'v');
    const db = server.use('v');
    await db.insert({ _id: '_design/d', views: { all: { map: 'function (doc) { emit(doc._id, null); }' } } } as never);
    await db.insert({ _id: 'one' } as never);
    const watcher = new ChangesWatcher(server, 'v');
    await watcher.start();
    const cache = new DocCache(db, watcher);
    try {
      const count = async () => (await cache.view<{ rows: unknown[] }>('d', 'all')).rows.length;
      assert.equal(await count(), 1);
      assert.equal(await count(), 1);
      assert.equal(cache.stats().hits, 1);
      await db.insert({ _id: 'two' } as never);
      await eventually(async () => (await count()) === 2, 1000, 'the view answer to be refreshed');
    } finally {
      cache.close();
      await watcher.stop();
    }
  });
});

test('a changes watcher survives its server stopping for 2 s and resumes without missing changes', async () => {
  const dir = await tempDir('outage');
  const dataDir = join(dir.path, 'data');
  let couch = await spawnEmbeddedCouch({ dataDir });
  const server = nano(couch.url);
  const watcher = new ChangesWatcher(server, 'feed', { minBackoffMs: 100, maxBackoffMs: 400 });
  const cache = new DocCache(server.use('feed'), watcher);
  const seen: string[] = [];
  let resets = 0;
  watcher.onChange((id) => seen.push(id));
  watcher.onReset(() => resets++);
  try {
    await ensureDatabase(server, 'feed');
    await watcher.start();
    await server.use('feed').insert({ _id: 'before-outage', v: 1 } as never);
    await eventually(() => seen.includes('before-outage'), 1000, 'the first change');
    assert.equal((await cache.get<{ v: number }>('before-outage'))?.v, 1);

    await couch.stop();
    await eventually(() => !watcher.live, 2000, 'the watcher to notice the outage');
    assert.equal((await cache.get<{ v: number }>('before-outage'))?.v, 1, 'the last known copy is served while the server is unreachable');
    assert.equal(cache.stats().staleServed, 1);
    await assert.rejects(cache.get('never-read'), 'what was never read cannot be made up');
    await sleep(2000);
    couch = await spawnEmbeddedCouch({ dataDir, port: couch.port });

    await watcher.waitUntilLive();
    assert.equal(resets, 0, 'the feed position survived the outage, so caches were kept');
    const current = await server.use('feed').get('before-outage');
    await server.use('feed').insert({ ...current, v: 2 } as never);
    await server.use('feed').insert({ _id: 'after-outage' } as never);
    await eventually(() => seen.includes('after-outage'), 2000, 'a change after the restart');
    assert.deepEqual(seen, ['before-outage', 'before-outage', 'after-outage'], 'each change is reported once, none replayed or lost');
    assert.equal((await cache.get<{ v: number }>('before-outage'))?.v, 2, 'the cache saw the edit made after the restart');
  } finally {
    cache.close();
    await watcher.stop();
    await couch.stop();
    await dir.remove();
  }
});

test('a watcher whose database is deleted and re-created resets its consumers and follows the new one', async () => {
  await withCouch('recreate', async (_couch, server) => {
    await ensureDatabase(server, 'gone');
    const watcher = new ChangesWatcher(server, 'gone', { minBackoffMs: 50, maxBackoffMs: 200 });
    const cache = new DocCache(server.use('gone'), watcher);
    const seen: string[] = [];
    watcher.onChange((id) => seen.push(id));
    try {
      await watcher.start();
      await server.use('gone').insert({ _id: 'old' } as never);
      await eventually(async () => (await cache.get('old')) !== undefined && seen.includes('old'), 1000, 'the first document');
      await server.db.destroy('gone');
      await eventually(() => cache.stats().resets > 0, 3000, 'the consumers to be reset');
      await ensureDatabase(server, 'gone');
      await watcher.waitUntilLive();
      assert.equal(await cache.get('old'), undefined, 'nothing from the deleted database is served');
      await server.use('gone').insert({ _id: 'new' } as never);
      await eventually(() => seen.includes('new'), 2000, 'a change in the new database');
    } finally {
      cache.close();
      await watcher.stop();
    }
  });
});
