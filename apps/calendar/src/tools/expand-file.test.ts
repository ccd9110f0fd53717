import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixturePath, repoRoot, sharedSkip } from '@fife/testkit';
import { ics } from '../testing/ics.js';
import { EXPAND_EXIT, expandFile } from './expand-file.js';

const run = promisify(execFile);
const FIFE = join(repoRoot, 'apps', 'cli', 'src', 'main.ts');

/** Runs the real `fife` CLI; resolves with its exit code and output (never rejects on exit != 0). */
async function fife(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', FIFE, ...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function manifestRow(file: string): { tz: string; from: string; to: string; fixedFrom: string; fixedTo: string } {
  const line = readFileSync(fixturePath('ical', 'MANIFEST.tsv'), 'utf8').split('\n').find((l) => l.startsWith(`${file}\t`));
  assert.ok(line, `${file} not in MANIFEST.tsv`);
  const [, tz, from, to, , fixedFrom, fixedTo] = line.split('\t') as string[];
  return { tz: tz!, from: from!, to: to!, fixedFrom: fixedFrom!, fixedTo: fixedTo! };
}

/** Two corpus files that exercise what goes wrong most: Windows zone names and a DST change. */
const CORPUS = ['ical-py__office_360_nz_tz.ics', 'recurring-ical-events__daylight_saving_time.ics'];

describe('fife calendar expand over public corpus files', { skip: sharedSkip }, () => {
  for (const file of CORPUS) {
    test(`${file}: both windows equal libical's TSV byte for byte`, async () => {
      const m = manifestRow(file);
      for (const [from, to, expected] of [
        [m.from, m.to, file.replace(/\.ics$/, '.expected.tsv')],
        [m.fixedFrom, m.fixedTo, file.replace(/\.ics$/, '.2026-2027.expected.tsv')],
      ] as const) {
        const r = await fife('calendar', 'expand', fixturePath('ical', file), '--from', from, '--to', to, '--tz', m.tz);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, readFileSync(fixturePath('ical', expected), 'utf8'));
      }
    });
  }
});

describe('expandFile', () => {
  const capture = () => {
    const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
    return io;
  };

  test('TSV and JSON of a small calendar', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fife-expand-'));
    try {
      const file = join(dir, 'a.ics');
      await writeFile(file, ics(['UID:b', 'DTSTART:20270101T090000Z', 'DTEND:20270101T100000Z', 'RRULE:FREQ=DAILY;COUNT=2', 'SUMMARY:Standup']));
      const io = capture();
      assert.equal(expandFile(file, { from: '2027-01-01T00:00:00Z', to: '2027-02-01T00:00:00Z', tz: 'UTC' }, io), EXPAND_EXIT.ok);
      assert.equal(io.stdout, 'b\t2027-01-01T09:00:00Z\t2027-01-01T10:00:00Z\tStandup\nb\t2027-01-02T09:00:00Z\t2027-01-02T10:00:00Z\tStandup\n');
      const js = capture();
      expandFile(file, { from: '2027-01-01T00:00:00Z', to: '2027-02-01T00:00:00Z', tz: 'UTC', json: true }, js);
      const parsed = JSON.parse(js.stdout) as { uid: string; start: string }[];
      assert.deepEqual(parsed.map((i) => i.start), ['2027-01-01T09:00:00.000Z', '2027-01-02T09:00:00.000Z']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an unparsable file exits 2 naming the line and property; a missing one exits 66', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fife-expand-'));
    try {
      const file = join(dir, 'bad.ics');
      await writeFile(file, ics(['UID:b', 'DTSTART:20270101T090000Z', 'RRULE:FREQ=DAILY;BYDAY=ZZ']));
      const io = capture();
      assert.equal(expandFile(file, { from: '2027-01-01T00:00:00Z', to: '2027-02-01T00:00:00Z', tz: 'UTC' }, io), EXPAND_EXIT.parse);
      assert.match(io.stderr, /calendar\.parse: line 7, property RRULE/);
      assert.equal(io.stdout, '');
      assert.equal(expandFile(join(dir, 'absent.ics'), { from: '2027-01-01T00:00:00Z', to: '2027-02-01T00:00:00Z', tz: 'UTC' }, capture()), EXPAND_EXIT.noInput);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
