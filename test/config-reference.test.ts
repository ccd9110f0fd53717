// docs/configuration.md is generated from the zod schemas the processes validate their environment with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configurationMarkdown, target } from '../docs/config-reference.js';

test('docs/configuration.md is up to date (regenerate: node --import tsx docs/config-reference.ts)', () => {
  assert.ok(readFileSync(target, 'utf8') === configurationMarkdown(), 'docs/configuration.md is out of date');
});

test('every documented variable carries a description', () => {
  const rows = configurationMarkdown().split('\n').filter((l) => l.startsWith('| `'));
  assert.ok(rows.length > 30, `${rows.length} variables`);
  for (const row of rows) assert.doesNotMatch(row, /\| $/, `no description: ${row}`);
});
