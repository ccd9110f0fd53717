// Writes docs/api/<category>.<name>.schema.json for every message declared in @fife/api (removing
// stale ones) and the catalog page docs/api/README.md. Run: node --import tsx packages/api/scripts/export-json-schema.ts
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCatalogMarkdown, generateJsonSchemas, jsonSchemaDir, serialiseJsonSchema } from '../src/index.js';

const docs = generateJsonSchemas();
mkdirSync(jsonSchemaDir, { recursive: true });
for (const name of readdirSync(jsonSchemaDir)) {
  if (name.endsWith('.schema.json') && !docs.has(name)) rmSync(join(jsonSchemaDir, name));
}
for (const [name, doc] of docs) writeFileSync(join(jsonSchemaDir, name), serialiseJsonSchema(doc));
writeFileSync(join(jsonSchemaDir, 'README.md'), generateCatalogMarkdown());
console.log(`wrote ${docs.size} JSON Schema documents and README.md to ${jsonSchemaDir}`);
