import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import nano from 'nano';
import { startEmbeddedCouch } from './embedded-couch.js';
import { spawnEmbeddedCouch } from './embedded-process.js';
import { openStore } from './store.js';
import { tempDir } from './test-support.js';

test('in-process: stop and restart on the same data folder keeps the data', async () => {
  const dir = await tempDir('restart');
  try {
    const first = await startEmbeddedCouch({ dataDir: dir.path });
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    await nano(first.url).db.create('keep');
    await nano(first.url).use('keep').insert({ _id: 'doc', value: 42 } as never);
    await first.stop();
    await assert.rejects(fetch(first.url), 'the stopped server must not answer');

    const second = await startEmbeddedCouch({ dataDir: dir.path });
    try {
      const doc = (await nano(second.url).use('keep').get('doc')) as unknown as { value: number };
      assert.equal(doc.value, 42);
      assert.deepEqual(await nano(second.url).db.list(), ['keep']);
    } finally {
      await second.stop();
    }
  } finally {
    await dir.remove();
  }
});

test('as a process: prints its URL, stops on SIGTERM, restarts with the data, writes nothing outside its folder', async () => {
  const dir = await tempDir('process');
  const dataDir = join(dir.path, 'data');
  const cwd = join(dir.path, 'cwd');
  try {
    await import('node:fs/promises').then((fs) => fs.mkdir(cwd));
    const first = await spawnEmbeddedCouch({ dataDir, cwd });
    await nano(first.url).db.create('keep');
    await nano(first.url).use('keep').insert({ _id: 'doc', value: 'kept' } as never);
    await first.stop();
    assert.equal(first.child.exitCode, 0, 'SIGTERM is a clean stop');

    const second = await spawnEmbeddedCouch({ dataDir, cwd, port: first.port });
    try {
      assert.equal(second.url, first.url, 'restarted on the port it was asked for');
      const doc = (await nano(second.url).use('keep').get('doc')) as unknown as { value: string };
      assert.equal(doc.value, 'kept');
    } finally {
      await second.stop();
    }
    assert.deepEqual(await readdir(cwd), [], 'no config.json or log.txt in the working directory');
    const dataFiles = await readdir(dataDir);
    assert.ok(dataFiles.includes('keep'));
  } finally {
    await dir.remove();
  }
});

test('openStore without COUCH_URL starts the embedded server and prepares the global databases', async () => {
  const dir = await tempDir('open');
  const saved = process.env.COUCH_URL;
  delete process.env.COUCH_URL;
  try {
    const store = await openStore({ dataDir: dir.path });
    try {
      assert.ok(store.embedded, 'an embedded server was started');
      assert.deepEqual((await store.server.db.list()).sort(), ['accounts', 'registrations']);
      await store.db('accounts').get('_design/accounts');
    } finally {
      await store.close();
    }
    // The same folder, now reached through an explicit URL: no second embedded server is started.
    const couch = await startEmbeddedCouch({ dataDir: dir.path });
    const remote = await openStore({ couchUrl: couch.url });
    try {
      assert.equal(remote.embedded, undefined);
      assert.equal(remote.url, couch.url);
      assert.deepEqual((await remote.server.db.list()).sort(), ['accounts', 'registrations']);
    } finally {
      await remote.close();
      await couch.stop();
    }
  } finally {
    if (saved !== undefined) process.env.COUCH_URL = saved;
    await dir.remove();
  }
});
