// The README's start command, checked: `fife up --sim --check` starts the cluster and a simulated
// FreeSWITCH, loads the sample account, registers the phones, runs every sample call and exits 0 only
// when each did what it should. Here the printed outcomes are read back and checked one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testVhost } from '@fife/testkit';
import { runFife } from '../apps/cli/src/output/test-helpers.js';

/** The printed block of sample call `n` (from "n. title" to the next blank line). */
function block(out: string, n: number): string {
  const m = new RegExp(`^${n}\\. [\\s\\S]*?(?=\\n\\n)`, 'm').exec(out);
  assert.ok(m, `sample call ${n} printed\n${out}`);
  return m[0];
}

/** Seconds (from the first ring) printed in front of a phone's ring-log line. */
function rangAt(text: string, phone: string): number {
  const m = new RegExp(`^\\s+(\\d+\\.\\d) s\\s+${phone.replace(/[()]/g, '\\$&')}`, 'm').exec(text);
  assert.ok(m, `${phone} in the ring log\n${text}`);
  return Number(m[1]);
}

test('fife up --sim --check: every sample call rings whom it should, and the cluster stops cleanly', { timeout: 180_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fife-demo-'));
  const env = { AMQP_URL: await testVhost('demo', { empty: true }), FIFE_DATA_DIR: dataDir, NO_COLOR: '1', COUCH_URL: undefined };
  const { code, stdout, stderr } = await runFife(['up', '--sim', '--check', '--ready-timeout', '120'], env, 180_000);
  const out = stdout + stderr;
  try {
    assert.equal(code, 0, out);
    assert.match(out, /9 of 9 simulated phones registered/);
    assert.match(out, new RegExp(`wrote ${join(dataDir, 'cluster.json').replace(/[.]/g, '\\.')}`));

    const device = block(out, 1);
    assert.match(device, /Device call/);
    assert.match(device, /answered by Bob \(1002\)/);
    assert.match(device, /✔ as expected/);

    const sales = block(out, 2);
    assert.match(sales, /callgroup 2000 for Alice \(1001\): 3 leg\(s\)/);
    assert.equal(rangAt(sales, 'Carol (2001)'), 0);
    const dan = rangAt(sales, 'Dan (2002)');
    const erin = rangAt(sales, 'Erin (2003)');
    assert.ok(dan >= 1.5 && dan <= 3.5, `Dan joins after the 2 s rank delay (${dan} s)`);
    assert.ok(erin >= 3.5 && erin <= 5.5, `Erin joins after two rank delays (${erin} s)`);
    assert.match(sales, /Carol \(2001\)\s+stopped ringing/);
    assert.match(sales, /answered by Erin \(2003\)/);
    assert.match(sales, /✔ as expected/);

    const open = block(out, 3);
    assert.match(open, /calendar Support hours open until/);
    assert.match(open, /answered by Support desk \(5001\)/);
    assert.match(open, /✔ as expected/);

    const busy = block(out, 4);
    assert.match(busy, /Frank forwards on busy/);
    assert.match(busy, /Frank \(3001\)\s+refused at [\d.]+ s: USER_BUSY/);
    assert.match(busy, /answered by Grace \(3002\)/);
    assert.match(busy, /✔ as expected/);

    const closed = block(out, 5);
    assert.match(closed, /calendar Support hours closed/);
    assert.match(closed, /answered by After-hours phone \(5009\)/);
    assert.doesNotMatch(closed, /Support desk/);
    assert.match(closed, /✔ as expected/);

    assert.match(out, /demo: 5 of 5 sample calls did what they should/);
    assert.match(out, /fife: stopped/);
    assert.equal(existsSync(join(dataDir, 'cluster.json')), false, 'cluster.json removed on stop');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
