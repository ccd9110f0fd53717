import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GREGORIAN_OFFSET, regSuccess, validate } from '@fife/api';
import { bindingsToEvict, computeExpiry, isLive, isRemoval } from './expiry.js';
import { answerQuery, reduceToFields } from './query.js';
import { recordFromSuccess, refreshed, registrationId, aorOf, type RegistrationRecord } from './registration.js';
import { toGregorianSeconds, toUnixSeconds } from './time.js';

const success = (over: Record<string, unknown> = {}) => {
  const r = validate(regSuccess, {
    'Event-Category': 'directory',
    'Event-Name': 'reg_success',
    'App-Name': 'ecallmgr',
    'App-Version': '4.3.0',
    'Msg-ID': 'm1',
    'Event-Timestamp': '63877470274',
    Contact: '<sip:1001@192.168.1.20:5060;transport=udp>',
    Expires: '3600',
    Username: '1001',
    Realm: 'SIP.example.com',
    'Source-Port': 34012,
    'Proxy-Path': 'sip:10.0.0.5:5060',
    'Custom-Channel-Vars': { 'Account-ID': 'not-hex-but-kept', 'Owner-ID': 'o1' },
    ...over,
  });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
};

test('timestamps: Gregorian and Unix seconds normalised both ways', () => {
  assert.equal(toUnixSeconds(63877470274), 1710251074);
  assert.equal(toUnixSeconds(1710251074), 1710251074);
  assert.equal(toGregorianSeconds(1710251074), 1710251074 + GREGORIAN_OFFSET);
  assert.equal(toGregorianSeconds(63877470274), 63877470274);
});

test('expiry: counted from receipt, exact granted seconds kept (spread honoured), deviation added', () => {
  assert.deepEqual(computeExpiry(3547, 1_000_000, { deviationSeconds: 180 }), { expires: 3547, reportedExpires: 3727, expiresAt: 1_003_727 });
  assert.equal(isLive({ expires_at: 10 }, 9), true);
  assert.equal(isLive({ expires_at: 10 }, 10), false);
  assert.equal(isRemoval({ Expires: 0 }), true);
  assert.equal(isRemoval({ Expires: 3600, Status: 'Unregistered' }), true);
  assert.equal(isRemoval({ Expires: 3600, Status: 'Registered' }), false);
});

test('records: deterministic id per AOR and binding, strings normalised, Event-Timestamp kept as sent', () => {
  const a = recordFromSuccess(success(), 1_700_000_000_500, { deviationSeconds: 180 });
  const b = recordFromSuccess(success({ Contact: 'sip:1001@192.168.1.20:5060;transport=UDP', Username: '1001' }), 1_700_000_100_000, { deviationSeconds: 180 });
  assert.equal(a.id, b.id);
  assert.equal(a.id, registrationId(aorOf('1001', 'sip.example.com'), a.binding));
  assert.equal(a.aor, '1001@sip.example.com');
  assert.equal(a.event_timestamp, 1710251074);
  assert.equal(a.expires_at, 1_700_000_000 + 3600 + 180);
  assert.equal(a.network_port, 34012);
  assert.equal(a.account_id, 'not-hex-but-kept');
  assert.equal(refreshed(a, b).initial_registration, a.initial_registration);
});

test("ecallmgr's bare Contact plus Original-Contact: the instance id comes from the original header", () => {
  const original = '"Desk" <sip:1001@10.0.0.1:5060;transport=udp>;+sip.instance="<urn:uuid:a1>";reg-id=1';
  const a = recordFromSuccess(success({ Contact: 'sip:1001@10.0.0.1:5060;transport=udp', 'Original-Contact': original }), 1_000, { deviationSeconds: 0 });
  const moved = '<sip:1001@10.0.0.2:5060;transport=udp>;+sip.instance="<urn:uuid:a1>";reg-id=1';
  const b = recordFromSuccess(success({ Contact: 'sip:1001@10.0.0.2:5060;transport=udp', 'Original-Contact': moved }), 2_000, { deviationSeconds: 0 });
  assert.equal(a.instance_id, 'urn:uuid:a1');
  assert.equal(a.id, b.id, 'same phone, same binding');
  assert.equal(a.contact_uri, 'sip:1001@10.0.0.1:5060;transport=udp');
  assert.equal(a.contact, 'sip:1001@10.0.0.1:5060;transport=udp');
});

test('eviction keeps the newest bindings', () => {
  const mk = (id: string, last: number) => ({ id, last_registration: last, updated_ms: last * 1000 });
  const existing = [mk('a', 5), mk('b', 1), mk('c', 3)];
  assert.deepEqual(bindingsToEvict(existing, 'new', 3).map((b) => b.id), ['b']);
  assert.deepEqual(bindingsToEvict(existing, 'a', 3), [], 'a refresh of an existing binding evicts nothing');
  assert.deepEqual(bindingsToEvict(existing, 'new', 2).map((b) => b.id), ['b', 'c']);
});

test('reg_query: expired bindings never returned, Fields reduced in order, reg_query_error when none, Count-Only', () => {
  const now = 1_700_000_000;
  const live: RegistrationRecord = recordFromSuccess(success(), now * 1000, { deviationSeconds: 180 });
  const dead: RegistrationRecord = { ...recordFromSuccess(success({ Contact: 'sip:1001@10.0.0.9' }), (now - 4000) * 1000, { deviationSeconds: 180 }) };
  const ctx = { nowUnix: now, registrarAge: 12, hostname: 'h' };
  const base = { 'Event-Category': 'directory', 'Event-Name': 'reg_query', 'App-Name': 'x', 'App-Version': '1', 'Msg-ID': 'q' } as const;
  const resp = answerQuery([live, dead], { ...base, Realm: 'sip.EXAMPLE.com', Username: '1001', Fields: ['Expires', 'Contact', 'Bridge-RURI', 'Nope'] }, ctx);
  assert.deepEqual(resp, {
    kind: 'resp',
    fields: {
      Fields: [{ Expires: 3780, Contact: 'sip:1001@192.168.1.20:5060;transport=udp', 'Bridge-RURI': 'sip:1001@SIP.example.com;fs_path=<sip:10.0.0.5:5060>' }],
      'Registrar-Age': 12,
    },
  });
  assert.deepEqual(answerQuery([dead], { ...base, Realm: 'sip.example.com' }, ctx), { kind: 'error', fields: { 'Registrar-Age': 12 } });
  assert.deepEqual(answerQuery([live], { ...base, Realm: 'all', 'Count-Only': true }, ctx), { kind: 'resp', fields: { Fields: [], Count: 1, 'Registrar-Age': 12 } });
  const full = answerQuery([live], { ...base, Realm: 'sip.example.com', Fields: [] }, ctx);
  assert.ok(full.kind === 'resp');
  const obj = full.fields.Fields[0]!;
  assert.equal(obj['Original-Contact'], '<sip:1001@192.168.1.20:5060;transport=udp>');
  assert.equal(obj['Event-Timestamp'], 63877470274);
  assert.equal(obj['Owner-ID'], 'o1');
  assert.equal(obj['Source-Port'], '34012');
  assert.deepEqual(reduceToFields({ a: 1, b: 2 }, []), { a: 1, b: 2 });
});
