import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allMessages, describeType, generateCatalogMarkdown, jsonSchemaDir } from './index.js';

test('docs/api/README.md is the catalog generated from the declarations (regenerate: packages/api/scripts/export-json-schema.ts)', () => {
  const onDisk = readFileSync(join(jsonSchemaDir, 'README.md'), 'utf8');
  // A boolean, not assert.equal: diffing two 100 KB documents would take minutes.
  assert.ok(onDisk === generateCatalogMarkdown(), 'docs/api/README.md is out of date');
});

test('the catalog lists every message with its exchange and an example', () => {
  const md = generateCatalogMarkdown();
  for (const def of allMessages()) {
    assert.ok(md.includes(`### ${def.category} / `), def.id);
    assert.ok(md.includes(`"Event-Category": "${def.category}"`), def.id);
  }
  assert.match(md, /\| `Auth-Method` \| R \| "password" \\\| "a1-hash"/);
});

test('types read as people write them', () => {
  assert.equal(describeType({ type: 'string' }), 'string');
  assert.equal(describeType({ anyOf: [{ type: 'integer' }, { type: 'string' }] }), 'integer | string');
  assert.equal(describeType({ type: 'array', items: { type: 'object' } }), 'array of object');
  assert.equal(describeType({ enum: ['a', 'b'] }), '"a" | "b"');
  assert.equal(describeType({}), 'any');
});
