// `fife sim` runs simulated FreeSWITCH nodes that Fife's own ESL client talks to like a real one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EslClient } from '@fife/esl';
import { repoRoot } from '@fife/testkit';

test('fife sim serves ESL from a config file; our client authenticates, runs api and gets events', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fife-sim-'));
  const config = join(dir, 'sim.yaml');
  await writeFile(config, 'nodes:\n  - hostname: fs-cli-test\n    eslPort: 0\n    eslPassword: s3cret\n    endpoints: []\n');
  const child = spawn(process.execPath, [join(repoRoot, 'apps/cli/bin/fife.mjs'), 'sim', '--config', config], { cwd: repoRoot });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ESL line printed: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        const m = /fs-cli-test ESL 127\.0\.0\.1:(\d+) password s3cret/.exec(out);
        if (m) (clearTimeout(timer), resolve(Number(m[1])));
      });
    });
    const esl = new EslClient({ host: '127.0.0.1', port, password: 's3cret', events: ['BACKGROUND_JOB'] });
    await esl.start();
    try {
      const status = await esl.api('status');
      assert.match(status, /UP \d+ years/);
      const job = await esl.bgapi('status');
      assert.ok(job.ok && /UP/.test(job.body), 'bgapi answered through BACKGROUND_JOB');
      await assert.rejects(esl.api('no_such_command'), /-ERR no_such_command Command not found!/);
    } finally {
      await esl.stop();
    }
  } finally {
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0, out);
    await rm(dir, { recursive: true, force: true });
  }
});
