import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanDialed, formatForGateway, numberForms } from './numbers.js';
import { numberingSchema } from './documents.js';

const belgium = numberingSchema.parse({ country_code: '32' });

test('E.164, national, no-plus and international-prefix forms of one number share their candidates', () => {
  const forms = ['+3225551234', '025551234', '3225551234', '003225551234'].map((n) => numberForms(n, belgium));
  for (const f of forms) {
    assert.equal(f.e164, '+3225551234');
    assert.equal(f.national, '025551234');
    for (const other of ['+3225551234', '025551234', '3225551234']) assert.ok(f.candidates.includes(other), `${f.dialed} → ${other}`);
    assert.equal(f.candidates[0], f.dialed, 'the dialed form is tried first');
  }
});

test('extensions and unknown formats are not rewritten; without a numbering plan only the dialed form counts', () => {
  assert.deepEqual(numberForms('1001', belgium).candidates, ['1001']);
  assert.equal(numberForms('*97', belgium).e164, undefined);
  assert.deepEqual(numberForms('025551234').candidates, ['025551234']);
  assert.equal(numberForms('+44207946000', belgium).national, undefined, 'a foreign number has no national form here');
});

test('dialed strings are cleaned of URI parts and visual separators', () => {
  assert.equal(cleanDialed('sip:+32 2 555-12-34@sip.example.com;user=phone'), '+3225551234');
  assert.equal(cleanDialed('tel:(02) 555.12.34'), '025551234');
  assert.equal(cleanDialed('john.doe'), 'john.doe');
});

test('gateways get the number in the format they ask for', () => {
  const f = numberForms('025551234', belgium);
  assert.equal(formatForGateway(f, 'e164'), '+3225551234');
  assert.equal(formatForGateway(f, 'e164_no_plus'), '3225551234');
  assert.equal(formatForGateway(f, 'national'), '025551234');
});
