import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hasShared, sharedPath, sharedSkip } from '@fife/testkit';
import { expand, parseInstant, toOracleTsv, type ExpandOptions } from './index.js';

/**
 * The reference expander's own hand-made checks (tools/ical-oracle/cases): business hours across
 * DST, EXDATE variants, EXRULE, gap/overlap, overnight shifts in exact and nominal DTEND,
 * THISANDFUTURE, cancelled sequences. They run with `-q -z Europe/Brussels` plus the case's args.
 */
const dir = sharedPath('tools', 'ical-oracle', 'cases');

interface Case {
  name: string;
  ics: string;
  args: string[];
}

function cases(): Case[] {
  if (!hasShared || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.args'))
    .sort()
    .map((f) => {
      const name = f.replace(/\.args$/, '');
      return { name, ics: `${name.split('@')[0]}.ics`, args: readFileSync(`${dir}/${f}`, 'utf8').trim().split(/\s+/) };
    });
}

function run(c: Case): string {
  const opts: Omit<ExpandOptions, 'from' | 'to'> = { defaultZone: 'Europe/Brussels', dtend: 'exact', opaqueOnly: false };
  const positional: string[] = [];
  for (const a of c.args) {
    if (a === '-N') opts.dtend = 'nominal';
    else if (a === '-T') opts.opaqueOnly = true;
    else positional.push(a);
  }
  const text = readFileSync(`${dir}/${c.ics}`, 'utf8');
  if (positional[0] === 'at') {
    const t = parseInstant(positional[1]!)! * 1000;
    return toOracleTsv(expand(text, { ...opts, from: t, to: t + 1000 }).filter((i) => i.start <= t && t < i.end));
  }
  return toOracleTsv(expand(text, { ...opts, from: positional[0]!, to: positional[1]! }));
}

describe('reference expander hand-made cases', { skip: sharedSkip }, () => {
  const all = cases();
  test('cases are present', () => assert.ok(all.length > 0));
  for (const c of all) {
    test(c.name, () => assert.equal(run(c), readFileSync(`${dir}/${c.name}.expected.tsv`, 'utf8')));
  }
});
