// The README's start command, end to end: `fife up --check` brings up the embedded CouchDB and every
// app against the test broker, waits until each process answered a request over the bus, then stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testVhost } from '@fife/testkit';
import { runFife } from '../apps/cli/src/output/test-helpers.js';
import { discoverApps } from '@fife/cli';

test('fife up starts every app, each answers over the bus, and everything stops cleanly', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fife-up-'));
  const env = { AMQP_URL: await testVhost('up', { empty: true }), FIFE_DATA_DIR: dataDir, LOG_LEVEL: 'info', COUCH_URL: undefined };
  const { code, stdout, stderr } = await runFife(['up', '--check', '--ready-timeout', '120'], env, 180_000);
  const out = stdout + stderr;
  try {
    assert.equal(code, 0, out);
    const apps = discoverApps();
    assert.match(out, new RegExp(`Fife is up: ${apps.length} processes answered`), out);
    for (const app of apps) assert.match(out, new RegExp(`^${app}\\s+${app}-1@\\S+\\s+\\d+\\s+ready`, 'm'), `${app} listed as ready\n${out}`);
    assert.match(out, /embedded PouchDB Server/);
    assert.match(out, new RegExp(`wrote ${join(dataDir, 'cluster.json').replace(/[.]/g, '\\.')}`), 'cluster.json written once up');
    assert.match(out, /fife: stopped/);
    assert.equal(existsSync(join(dataDir, 'cluster.json')), false, 'cluster.json removed on stop');
    const logs = await readdir(join(dataDir, 'logs'));
    assert.deepEqual(logs.sort(), apps.map((a) => `${a}-1.log`).sort());
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
