import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allMessages,
  exchanges,
  findMessage,
  generateJsonSchemas,
  jsonSchemaDir,
  messages,
  serialiseJsonSchema,
  topicMatches,
  validate,
} from './index.js';

describe('every declaration', () => {
  const defs = allMessages();

  test('the families object holds exactly the registered declarations', () => {
    const grouped = Object.values(messages).flatMap((family) => Object.values(family));
    assert.deepEqual(new Set(grouped), new Set(defs));
    assert.equal(grouped.length, defs.length);
  });

  for (const def of defs) {
    test(`${def.id}: example validates, is found, and is keyed consistently`, () => {
      const result = validate(def, def.example);
      if (!result.ok) assert.fail(result.error.message);
      assert.equal(findMessage(def.example['Event-Category'], def.example['Event-Name']), def);
      assert.ok(def.exchange in exchanges);
      assert.ok(def.summary.length > 10 && def.sender.length > 0);
      const msg = result.value as Record<string, unknown>;
      if (def.exchange === 'targeted' || def.exchange === 'callctl') {
        assert.equal(def.bindingKeys.length, 0, 'point-to-point: no shared binding');
        assert.equal(def.routingKey(msg, 'some-queue'), 'some-queue');
      } else {
        const key = def.routingKey(msg);
        assert.ok(def.bindingKeys.length > 0);
        assert.ok(def.bindingKeys.some((b: string) => topicMatches(b, key)), `${key} matches ${def.bindingKeys.join(', ')}`);
      }
    });
  }
});

describe('JSON Schema export', () => {
  const docs = generateJsonSchemas();

  test('one document per message, lenient inputs visible', () => {
    assert.equal(docs.size, allMessages().length);
    const authnReq = docs.get('directory.authn_req.schema.json') as { properties: Record<string, { anyOf?: unknown[] }> };
    const expires = JSON.stringify(authnReq.properties.Expires);
    assert.match(expires, /"type":"integer"/);
    assert.match(expires, /"type":"string"/);
    const command = docs.get('call.command.schema.json') as { allOf?: Array<{ then: { required: string[] } }> };
    assert.ok(command.allOf?.some((c) => c.then.required.includes('Media-Name')), 'per-application requirements exported');
  });

  test('docs/api is up to date (run packages/api/scripts/export-json-schema.ts)', () => {
    assert.ok(existsSync(jsonSchemaDir), `${jsonSchemaDir} missing`);
    const onDisk = readdirSync(jsonSchemaDir).filter((f) => f.endsWith('.schema.json')).sort();
    assert.deepEqual(onDisk, [...docs.keys()].sort());
    for (const [name, doc] of docs) {
      assert.equal(readFileSync(join(jsonSchemaDir, name), 'utf8'), serialiseJsonSchema(doc), `${name} is stale`);
    }
  });
});
