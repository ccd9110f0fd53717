import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideAuthn, type AuthnFacts, type CredentialPolicy } from './credential-policy.js';
import { a1Hash } from './digest.js';
import type { AccountEntry, DeviceEntry } from './directory.js';
import { authnSubject, isIpLiteral } from './realm.js';

const policy: CredentialPolicy = { clearPasswordApps: ['kamailio'], clearPasswordRealms: [], unknownRealm: 'error' };
const account: AccountEntry = { id: 'a'.repeat(32), name: 'A', realm: 'Sip.Example.com', enabled: true, allowClearPassword: false };
const device: DeviceEntry = {
  id: 'd'.repeat(32),
  username: '1001',
  password: 'pw',
  method: 'password',
  enabled: true,
  allowClearPassword: false,
  authorizingType: 'device',
  suppressUnregisterNotifications: false,
  registerOverwriteNotify: false,
};
const facts = (over: Partial<AuthnFacts> = {}, app = 'ecallmgr'): AuthnFacts => ({
  subject: authnSubject({ 'Auth-User': '1001', 'Auth-Realm': 'sip.example.com', To: '1001@sip.example.com' }),
  request: { 'App-Name': app, 'Orig-IP': '198.51.100.1', Expires: 3600 },
  account,
  device,
  ipDevice: undefined,
  ...over,
});

test('ecallmgr gets an a1-hash over the username and realm as requested', () => {
  const d = decideAuthn(facts(), policy);
  assert.equal(d.kind, 'credentials');
  if (d.kind !== 'credentials') return;
  assert.equal(d.reply['Auth-Method'], 'a1-hash');
  assert.equal(d.reply['Auth-Password'], a1Hash('1001', 'sip.example.com', 'pw'));
  assert.equal(d.reply.Expires, 3600);
  assert.equal((d.reply['Custom-Channel-Vars'] as Record<string, unknown>)['Account-Realm'], 'sip.example.com');
  assert.equal((d.reply['Custom-Channel-Vars'] as Record<string, unknown>)['Presence-ID'], '1001@sip.example.com');
});

test('Kamailio: clear password only when a device, account or realm allows it', () => {
  assert.deepEqual(decideAuthn(facts({}, 'kamailio'), policy), { kind: 'deny', reason: 'clear_password_not_allowed', deviceId: device.id });
  for (const f of [
    facts({ device: { ...device, allowClearPassword: true } }, 'Kamailio'),
    facts({ account: { ...account, allowClearPassword: true } }, 'kamailio'),
  ]) {
    const d = decideAuthn(f, policy);
    assert.equal(d.kind === 'credentials' && d.reply['Auth-Password'], 'pw');
  }
  const byRealm = decideAuthn(facts({}, 'kamailio'), { ...policy, clearPasswordRealms: ['SIP.EXAMPLE.COM'] });
  assert.equal(byRealm.kind === 'credentials' && byRealm.reply['Auth-Method'], 'password');
});

test('refusals: unknown realm (or silence), unknown user, disabled account/device/owner', () => {
  assert.deepEqual(decideAuthn(facts({ account: undefined }), policy), { kind: 'deny', reason: 'unknown_realm' });
  assert.equal(decideAuthn(facts({ account: undefined }), { ...policy, unknownRealm: 'silent' }).kind, 'silent');
  assert.equal(decideAuthn(facts({ device: undefined }), policy).kind, 'deny');
  assert.deepEqual(decideAuthn(facts({ account: { ...account, enabled: false } }), policy), { kind: 'deny', reason: 'disabled_account' });
  assert.equal((decideAuthn(facts({ device: { ...device, enabled: false } }), policy) as { reason: string }).reason, 'disabled_device');
  assert.equal((decideAuthn(facts({ ownerEnabled: false }), policy) as { reason: string }).reason, 'disabled_owner');
  assert.equal(decideAuthn(facts({ ownerEnabled: true }), policy).kind, 'credentials');
});

test('IP-literal realm without an account: silent, as Kazoo; with To naming a domain, that domain is tried too', () => {
  const subject = authnSubject({ 'Auth-User': '1001', 'Auth-Realm': '192.0.2.1', To: 'sip:1001@sip.example.com' });
  assert.deepEqual(subject.lookupRealms, ['192.0.2.1', 'sip.example.com']);
  assert.equal(decideAuthn(facts({ subject, account: undefined }), policy).kind, 'silent');
  assert.equal(isIpLiteral('[2001:db8::1]:5060'), true);
  assert.equal(isIpLiteral('sip.example.com'), false);
});

test('IP authentication compares canonical addresses', () => {
  const trunk: DeviceEntry = { ...device, method: 'ip', password: undefined, ip: '2001:DB8::7', username: 'trunk' };
  const ok = decideAuthn({ ...facts({ device: trunk }), request: { 'App-Name': 'ecallmgr', 'Orig-IP': '2001:db8:0::7' } }, policy);
  assert.equal(ok.kind === 'credentials' && ok.reply['Auth-Method'], 'ip');
  const no = decideAuthn({ ...facts({ device: trunk }), request: { 'App-Name': 'ecallmgr', 'Orig-IP': '2001:db8::8' } }, policy);
  assert.deepEqual(no, { kind: 'deny', reason: 'ip_not_allowed', deviceId: device.id });
  const byAddress = decideAuthn({ ...facts({ device: undefined, ipDevice: trunk }), request: { 'App-Name': 'ecallmgr', 'Orig-IP': '2001:db8::7' } }, policy);
  assert.equal(byAddress.kind === 'credentials' && byAddress.reply['Auth-Username'], 'trunk');
});
