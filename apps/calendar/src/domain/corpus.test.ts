import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixturePath, hasShared, sharedSkip } from '@fife/testkit';
import { expand, toOracleTsv } from './index.js';

/**
 * Conformance: every public .ics of the shared corpus, over both of its windows, must give exactly
 * the libical reference expander's TSV (MANIFEST.tsv names the windows and the default zone).
 */
interface ManifestRow {
  file: string;
  zone: string;
  windows: { from: string; to: string; expected: string }[];
}

function manifest(): ManifestRow[] {
  const lines = readFileSync(fixturePath('ical', 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split('\t');
  const col = (name: string): number => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const f = line.split('\t');
    const base = f[col('file')]!.replace(/\.ics$/, '');
    return {
      file: f[col('file')]!,
      zone: f[col('default_tz')]!,
      windows: [
        { from: f[col('auto_from')]!, to: f[col('auto_to')]!, expected: `${base}.expected.tsv` },
        { from: f[col('fixed_from')]!, to: f[col('fixed_to')]!, expected: `${base}.2026-2027.expected.tsv` },
      ],
    };
  });
}

describe('iCalendar corpus against the libical reference', { skip: sharedSkip }, () => {
  const rows = hasShared ? manifest() : [];

  test('the manifest lists the corpus', () => {
    assert.ok(rows.length >= 80, `only ${rows.length} files in MANIFEST.tsv`);
  });

  for (const row of rows) {
    for (const w of row.windows) {
      test(`${w.expected} [${w.from}, ${w.to})`, () => {
        const ics = readFileSync(fixturePath('ical', row.file), 'utf8');
        const want = readFileSync(fixturePath('ical', w.expected), 'utf8');
        const got = toOracleTsv(expand(ics, { from: w.from, to: w.to, defaultZone: row.zone }));
        assert.equal(got, want);
      });
    }
  }
});
