import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { isFifeError } from '@fife/api';
import { registerDocumentSchema, validateDocument } from './registry.js';
import { aorKey, registrationDocId } from './registration.js';

function fieldOf(doc: Record<string, unknown>): unknown {
  try {
    validateDocument(doc);
    return undefined;
  } catch (error) {
    assert.ok(isFifeError(error, 'store.invalid_document'));
    return error.context.field;
  }
}

test('account documents need a name and a realm', () => {
  assert.equal(fieldOf({ pvt_type: 'account', realm: 'sip.example.com' }), 'name');
  assert.equal(fieldOf({ pvt_type: 'account', name: 'A', realm: 'not a realm' }), 'realm');
  const ok: Record<string, unknown> = validateDocument({ pvt_type: 'account', name: 'A', realm: 'sip.example.com', custom: { kept: true } });
  assert.equal(ok.enabled, true);
  assert.deepEqual(ok.custom, { kept: true }, 'unknown fields are kept, so documents can grow');
});

test('device credentials are checked per auth method', () => {
  assert.equal(fieldOf({ pvt_type: 'device', sip: { username: '1001' } }), 'sip.password');
  assert.equal(fieldOf({ pvt_type: 'device', sip: { username: '1001', method: 'ip', ip: '10.0.0.300' } }), 'sip.ip');
  assert.equal(fieldOf({ pvt_type: 'device', sip: { username: '1001', method: 'digest', password: 'x' } }), 'sip.method');
  assert.equal(fieldOf({ pvt_type: 'device', sip: { username: '1001', password: 'x' }, owner_id: 'bob' }), 'owner_id');
  assert.equal(fieldOf({ pvt_type: 'device', sip: { username: '1001', method: 'ip', ip: '192.0.2.7' } }), undefined);
});

test('callflows need a number or a pattern, and patterns must compile', () => {
  assert.equal(fieldOf({ pvt_type: 'callflow', flow: { module: 'device' } }), 'numbers');
  assert.equal(fieldOf({ pvt_type: 'callflow', patterns: ['^(1+$'], flow: { module: 'device' } }), 'patterns.0');
  assert.equal(fieldOf({ pvt_type: 'callflow', numbers: ['1000'], flow: {} }), 'flow.module');
});

test('design documents, deletions and unregistered types pass through; new types can be registered', () => {
  assert.equal(fieldOf({ _id: '_design/x', pvt_type: 'account' }), undefined);
  assert.equal(fieldOf({ _id: 'gone', _deleted: true, pvt_type: 'account' }), undefined);
  assert.equal(fieldOf({ pvt_type: 'widget' }), undefined);
  registerDocumentSchema('widget', z.looseObject({ pvt_type: z.literal('widget'), size: z.number() }));
  assert.equal(fieldOf({ pvt_type: 'widget', size: 'big' }), 'size');
});

test('registration keys are lowercased AORs and ids are deterministic per contact', () => {
  assert.equal(aorKey('Alice', 'SIP.Example.com'), 'alice@sip.example.com');
  const a = registrationDocId('1001', 'Sip.Example.com', 'sip:1001@10.0.0.1:5060');
  assert.equal(a, registrationDocId('1001', 'sip.example.com', 'sip:1001@10.0.0.1:5060'));
  assert.notEqual(a, registrationDocId('1001', 'sip.example.com', 'sip:1001@10.0.0.2:5060'));
  assert.match(a, /^reg_[0-9a-f]{32}$/);
});
