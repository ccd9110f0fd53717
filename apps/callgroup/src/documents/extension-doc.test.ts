import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { validateDocument } from '@fife/store';
import { EXTENSION_DOC_TYPE, extensionDocId, registerCallgroupDocuments } from './extension-doc.js';

registerCallgroupDocuments();

function refusedField(doc: Record<string, unknown>): string {
  try {
    validateDocument({ _id: 'x', pvt_type: EXTENSION_DOC_TYPE, ...doc });
  } catch (err) {
    assert.ok(isFifeError(err, 'store.invalid_document'), String(err));
    return String(err.context.field);
  }
  assert.fail('accepted');
}

test('the store refuses invalid call-group extensions naming the field', () => {
  assert.equal(refusedField({ ext: '10a' }), 'ext');
  assert.equal(refusedField({ ext: '2000', type: 'GROUP', ranks: [{ mode: 'DROP', members: [] }] }), 'ranks.0.delay');
  assert.equal(refusedField({ ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001', active: 'yes' }] }] }), 'ranks.0.members.0.active');
  assert.equal(refusedField({ ext: '1001', forward: { mode: 'ENABLED', to: '1002' } }), 'forward.delay');
  assert.equal(refusedField({ ext: '1500', static_target: 'conf/a,conf/b' }), 'static_target');
  assert.equal(refusedField({ ext: '1001', call_waiting: 'no' }), 'call_waiting');
});

test('a valid document is stored with the domain defaults written out, unknown keys kept', () => {
  const doc: Record<string, unknown> = validateDocument({ _id: extensionDocId('1001'), pvt_type: EXTENSION_DOC_TYPE, ext: '1001', note: 'desk' });
  assert.equal(doc._id, 'cgext-1001');
  assert.equal(doc.type, 'SIMPLE');
  assert.equal(doc.server, 'local');
  assert.equal(doc.lang, 'de_DE');
  assert.equal(doc.call_waiting, true);
  assert.equal(doc.note, 'desk');
  // normalised output validates again unchanged, so re-writing it is a no-op
  assert.deepEqual(validateDocument(structuredClone(doc)), doc);
});
