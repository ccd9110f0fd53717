import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { callgroupWhapp, putExtension } from '@fife/callgroup';
import { assertMatchesExpected, readScenario, scenarioFiles } from '@fife/callgroup/testing';
import { openStore, type Store } from '@fife/store';
import { fixturePath, repoRoot, sharedSkip, testVhost } from '@fife/testkit';
import { startWhapp } from '@fife/whapp';
import { askPlan, planScenarioFile, type CommandIo } from './callgroup.js';

function capture(): CommandIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

describe('fife callgroup plan', () => {
  test('prints the expected-shaped plan of every public scenario', { skip: sharedSkip }, () => {
    const files = scenarioFiles();
    assert.ok(files.length >= 50, `public corpus: ${files.length} files`);
    for (const file of files) {
      const io = capture();
      assert.equal(planScenarioFile(fixturePath('callgroup', file), {}, io), 0, `${file}: ${io.stderr()}`);
      assertMatchesExpected(JSON.parse(io.stdout()) as Record<string, unknown>, readScenario(file).expected, `${file}: `);
    }
  });

  test('--json prints one line, --explain adds the tree; bad files exit 1 with the reason', { skip: sharedSkip }, () => {
    const file = fixturePath('callgroup', 'worked-example.json');
    const compact = capture();
    planScenarioFile(file, { json: true, explain: true }, compact);
    assert.equal(compact.stdout().trim().split('\n').length, 1);
    const parsed = JSON.parse(compact.stdout()) as { explain: { path: string[]; log: unknown[] }[] };
    assert.ok(parsed.explain.length > 1 && parsed.explain.every((n) => Array.isArray(n.log)));
    const missing = capture();
    assert.equal(planScenarioFile('/nonexistent/scenario.json', {}, missing), 1);
    assert.match(missing.stderr(), /"error"/);
  });

  test('the fife binary runs it', { skip: sharedSkip }, async () => {
    const file = fixturePath('callgroup', 'hunting-group-then-forward.json');
    const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, 'apps/cli/bin/fife.mjs'), 'callgroup', 'plan', file], {
      timeout: 60_000,
    });
    assertMatchesExpected(JSON.parse(stdout) as Record<string, unknown>, readScenario('hunting-group-then-forward.json').expected);
  });
});

describe('fife callgroup ask', () => {
  let dir: string;
  let store: Store;
  let stopApp: () => Promise<void>;
  let url: string;

  before(async () => {
    url = await testVhost('callgroup-cli');
    dir = await mkdtemp(join(tmpdir(), 'fife-cli-callgroup-'));
    store = await openStore({ dataDir: join(dir, 'couch') });
    const app = await startWhapp(callgroupWhapp, {
      AMQP_URL: url,
      COUCH_URL: store.url,
      FIFE_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      CALLGROUP_CHANNELS_TIMEOUT_MS: '30',
      CALLGROUP_REG_TIMEOUT_MS: '30',
    });
    stopApp = () => app.stop();
  });

  after(async () => {
    await stopApp?.();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('asks the running service and prints the plan, the dial string and the tree', async () => {
    const accountId = await store.createAccount({ name: 'cli', realm: 'cli.callgroup.test' });
    await putExtension(store, accountId, { ext: '1001' });
    await putExtension(store, accountId, { ext: '1002' });
    await putExtension(store, accountId, { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }, { mode: 'NEXT', delay: 10, members: [{ ext: '1002' }] }] });
    const human = capture();
    assert.equal(await askPlan(url, { account: accountId, number: '2000', from: '555', explain: true, timeoutMs: 3000 }, human), 0, human.stderr());
    assert.match(human.stdout(), /^status: ringing/);
    assert.match(human.stdout(), /10s-….*1002/);
    assert.match(human.stdout(), /rendering: bridge\n.*\[leg_delay_start=10\]user\/1002@cli\.callgroup\.test/);
    assert.match(human.stdout(), /no registrar answered/);
    const json = capture();
    assert.equal(await askPlan(url, { account: accountId, number: '2000', json: true, timeoutMs: 3000 }, json), 0);
    assert.equal((JSON.parse(json.stdout()) as { Status: string }).Status, 'ringing');
    const refused = capture();
    assert.equal(await askPlan(url, { account: '0123456789abcdef0123456789abcdef', number: '2000', timeoutMs: 3000 }, refused), 1);
    assert.match(refused.stderr(), /callgroup\.no_account/);
  });

  test('no callgroup service answering is exit 3', async () => {
    const silent = capture();
    assert.equal(await askPlan(await testVhost('cli-empty'), { account: '0123456789abcdef0123456789abcdef', number: '2000', timeoutMs: 300 }, silent), 3);
    assert.match(silent.stderr(), /bus\.timeout/);
  });
});
