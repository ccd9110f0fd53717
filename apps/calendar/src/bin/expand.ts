#!/usr/bin/env node
/**
 * `expand FILE.ics --from ISO --to ISO --tz ZONE`: prints the busy intervals of the file in the
 * reference expander's TSV (what `fife calendar expand` will wrap).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isFifeError } from '@fife/api';
import { expand, toOracleTsv } from '../domain/index.js';

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, tz: { type: 'string', default: 'UTC' } },
  });
  const file = positionals[0];
  if (!file || !values.from || !values.to) {
    process.stderr.write('usage: expand FILE.ics --from ISO --to ISO [--tz ZONE]\n');
    return 64;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`${file}: ${(err as Error).message}\n`);
    return 66;
  }
  try {
    process.stdout.write(toOracleTsv(expand(text, { from: values.from, to: values.to, defaultZone: values.tz ?? 'UTC' })));
    return 0;
  } catch (err) {
    if (isFifeError(err)) {
      process.stderr.write(`${file}: ${err.code}: ${err.message}\n`);
      return err.code === 'calendar.parse' ? 2 : 64;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
