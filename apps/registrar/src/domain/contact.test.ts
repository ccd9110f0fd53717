import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindingKey, parseContact, splitHostPort, canonicalHost } from './contact.js';

test('Kamailio raw Contact: angle brackets, URI params, transport lowercased', () => {
  const c = parseContact('<sip:1000@127.0.0.1:5061;transport=UDP>');
  assert.equal(c.uri, 'sip:1000@127.0.0.1:5061;transport=UDP');
  assert.equal(c.user, '1000');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 5061);
  assert.equal(c.transport, 'udp');
  assert.deepEqual(c.headerParams, {});
});

test('ecallmgr bare URI: everything after the host belongs to the URI', () => {
  const c = parseContact('sip:1001@192.168.1.20:5060;transport=udp;fs_path=<sip:10.0.0.5;lr>');
  assert.equal(c.uriParams.fs_path, '<sip:10.0.0.5;lr>');
  assert.equal(c.host, '192.168.1.20');
  assert.equal(c.uriParams.transport, 'udp');
  assert.equal(c.uri, 'sip:1001@192.168.1.20:5060;transport=udp;fs_path=<sip:10.0.0.5;lr>');
});

test('IPv6 hosts with and without port, compressed canonically', () => {
  const c = parseContact('"Desk Phone" <sip:1000@[2001:0db8:0000::0005]:5070;transport=tls>;expires=300');
  assert.equal(c.host, '2001:db8::5');
  assert.equal(c.port, 5070);
  assert.equal(c.headerParams.expires, '300');
  assert.equal(parseContact('sip:1000@[2001:db8::5]').port, undefined);
  assert.deepEqual(splitHostPort('2001:db8::5'), { host: '2001:db8::5', port: undefined });
  assert.equal(canonicalHost('[::FFFF:192.0.2.1]'), '::ffff:c000:201');
});

test('RFC 5626: +sip.instance (quoted, with < > and :) and reg-id are header params', () => {
  const c = parseContact('<sip:1000@10.0.0.1:5060;ob>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>";reg-id=2');
  assert.equal(c.instanceId, 'urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF');
  assert.equal(c.regId, '2');
  assert.equal(c.uriParams.ob, '');
});

test('binding keys: same binding for equivalent contacts, instance wins over address', () => {
  const key = (s: string) => bindingKey(parseContact(s));
  assert.equal(key('<sip:1000@127.0.0.1:5061;transport=UDP>'), key('sip:1000@127.0.0.1:5061;transport=udp'));
  assert.equal(key('sip:1000@[2001:db8::5]'), key('<sip:1000@[2001:0db8::5]:5060>'));
  assert.notEqual(key('sip:1000@10.0.0.1:5060'), key('sip:1000@10.0.0.1:5062'));
  assert.notEqual(key('sip:1000@10.0.0.1;transport=tcp'), key('sip:1000@10.0.0.1;transport=udp'));
  const inst = ';+sip.instance="<urn:uuid:abc>";reg-id=1';
  assert.equal(key(`<sip:1000@10.0.0.1>${inst}`), key(`<sip:1000@10.9.9.9:5099>${inst}`));
});

test('wildcard and invalid contacts give clear results, never a crash', () => {
  assert.equal(parseContact(' * ').wildcard, true);
  assert.throws(() => parseContact('<sip:1000@10.0.0.1'), { code: 'registrar.invalid_contact' });
  assert.throws(() => parseContact('1000@10.0.0.1'), /no URI scheme/);
  assert.throws(() => parseContact('sip:1000@host:99999'), /bad port/);
});
