#!/usr/bin/env node
/**
 * `expand FILE.ics --from ISO --to ISO [--tz ZONE] [--json]`: prints the busy intervals of the file in the
 * reference expander's TSV. Same code as `fife calendar expand` (src/tools/expand-file.ts).
 */
import { parseArgs } from 'node:util';
import { EXPAND_EXIT, expandFile } from '../tools/expand-file.js';

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, tz: { type: 'string', default: 'UTC' }, json: { type: 'boolean', default: false } },
  });
  const file = positionals[0];
  if (!file || !values.from || !values.to) {
    process.stderr.write('usage: expand FILE.ics --from ISO --to ISO [--tz ZONE] [--json]\n');
    return EXPAND_EXIT.usage;
  }
  const io = { out: (t: string) => void process.stdout.write(t), err: (t: string) => void process.stderr.write(t) };
  return expandFile(file, { from: values.from, to: values.to, tz: values.tz ?? 'UTC', json: values.json ?? false }, io);
}

process.exitCode = main(process.argv.slice(2));
