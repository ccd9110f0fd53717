import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerUrl } from '@fife/testkit';
import { findBroker } from './cli-bus.js';
import { runFife } from './output/test-helpers.js';

async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T> | T): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

test('findBroker: AMQP_URL wins, then <FIFE_DATA_DIR>/cluster.json, else nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fife-cli-bus-'));
  try {
    await withEnv({ AMQP_URL: undefined, FIFE_DATA_DIR: dir }, async () => {
      assert.equal(findBroker(), undefined);
      await writeFile(join(dir, 'cluster.json'), 'not json');
      assert.equal(findBroker(), undefined);
      await writeFile(join(dir, 'cluster.json'), JSON.stringify({ amqpUrl: 'amqp://127.0.0.1:5999' }));
      assert.deepEqual(findBroker(), { url: 'amqp://127.0.0.1:5999', source: join(dir, 'cluster.json') });
      await withEnv({ AMQP_URL: 'amqp://env:5672' }, () => assert.deepEqual(findBroker(), { url: 'amqp://env:5672', source: 'AMQP_URL' }));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the binary: cluster.json finds the broker; nothing configured is exit 2; a dead broker exit 3 with the source named', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fife-cli-bus-'));
  try {
    const none = await runFife(['reg', '--timeout', '300'], { FIFE_DATA_DIR: dir });
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /set AMQP_URL .* or start the cluster with `fife up`/);

    await writeFile(join(dir, 'cluster.json'), JSON.stringify({ amqpUrl: await brokerUrl() }));
    // Reaches the broker through cluster.json: no registrar runs in this vhost-less check's realm, so 1 or 3 — never 2.
    const found = await runFife(['reg', 'nobody@cli-bus.invalid', '--timeout', '300'], { FIFE_DATA_DIR: dir });
    assert.notEqual(found.code, 2, found.stderr);
    assert.doesNotMatch(found.stderr, /ECONNREFUSED/);

    await writeFile(join(dir, 'cluster.json'), JSON.stringify({ amqpUrl: 'amqp://guest:guest@127.0.0.1:1' }));
    const dead = await runFife(['status'], { FIFE_DATA_DIR: dir });
    assert.equal(dead.code, 3, dead.stderr);
    assert.match(dead.stderr, /ECONNREFUSED.*cluster\.json; is `fife up` running\?/);

    const usage = await runFife(['status', '--timeout', 'soon'], { FIFE_DATA_DIR: dir });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--timeout.*positive integer/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
