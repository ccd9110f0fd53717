// Writes docs/api/<category>.<name>.schema.json for every message declared in @fife/api and removes
// stale ones. Run: node --import tsx packages/api/scripts/export-json-schema.ts
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateJsonSchemas, jsonSchemaDir, serialiseJsonSchema } from '../src/index.js';

const docs = generateJsonSchemas();
mkdirSync(jsonSchemaDir, { recursive: true });
for (const name of readdirSync(jsonSchemaDir)) {
  if (name.endsWith('.schema.json') && !docs.has(name)) rmSync(join(jsonSchemaDir, name));
}
for (const [name, doc] of docs) writeFileSync(join(jsonSchemaDir, name), serialiseJsonSchema(doc));
console.log(`wrote ${docs.size} JSON Schema documents to ${jsonSchemaDir}`);
