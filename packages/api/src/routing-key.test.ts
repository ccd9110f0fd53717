import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeSegment,
  encodeSegment,
  isFifeError,
  replyKey,
  routingKey,
  targetedKey,
  topicMatches,
  uriParts,
} from './index.js';

describe('encodeSegment (kazoo-wire §1.5)', () => {
  test('the reference examples', () => {
    assert.equal(encodeSegment('sip.example.com'), 'sip%2Eexample%2Ecom');
    assert.equal(encodeSegment('a1b2@10.0.0.5'), 'a1b2%4010%2E0%2E0%2E5');
  });
  test('wildcard segments are kept, other specials are escaped', () => {
    assert.equal(encodeSegment('*'), '*');
    assert.equal(encodeSegment('#'), '#');
    assert.equal(encodeSegment('a*b'), 'a%2Ab');
    assert.equal(encodeSegment('#1'), '%231');
  });
  test('kept characters, space and UTF-8', () => {
    assert.equal(encodeSegment('Az09-~_'), 'Az09-~_');
    assert.equal(encodeSegment('John Doe'), 'John+Doe');
    assert.equal(encodeSegment('é'), '%C3%A9');
    assert.equal(encodeSegment('ü.de'), '%C3%BC%2Ede');
    assert.equal(encodeSegment('1000:127.0.0.1'), '1000%3A127%2E0%2E0%2E1');
  });
  test('decodeSegment reverses it', () => {
    for (const s of ['sip.example.com', 'a1b2@10.0.0.5', 'John Doe', 'é/ü']) assert.equal(decodeSegment(encodeSegment(s)), s);
  });
  test('routingKey encodes variable parts only', () => {
    assert.equal(routingKey({ raw: 'authn.req' }, 'sip.example.com'), 'authn.req.sip%2Eexample%2Ecom');
  });
});

describe('reply keys', () => {
  test('a Server-ID is used verbatim, minus a pid:// prefix', () => {
    assert.equal(replyKey('kamailio@proxy1.example.net-<1>-targeted-0'), 'kamailio@proxy1.example.net-<1>-targeted-0');
    assert.equal(replyKey('pid://<0.1837.0>/ecallmgr@fs-a-queue'), 'ecallmgr@fs-a-queue');
  });
  test('a targeted message without target is a typed error', () => {
    assert.throws(() => targetedKey({}), (e: unknown) => isFifeError(e, 'api.no_target'));
    assert.equal(targetedKey({}, 'q1'), 'q1');
  });
});

describe('topicMatches', () => {
  test('* is one word, # any number', () => {
    assert.ok(topicMatches('authn.req.*', 'authn.req.sip%2Eexample%2Ecom'));
    assert.ok(!topicMatches('authn.req.*', 'authn.req.a.b'));
    assert.ok(topicMatches('registration.query.*.*', 'registration.query.sip%2Eexample%2Ecom.*'));
    assert.ok(topicMatches('call.#', 'call.DTMF.abc'));
    assert.ok(topicMatches('#', 'a'));
    assert.ok(!topicMatches('call.*.*', 'call.DTMF'));
  });
});

describe('uriParts', () => {
  test('user@realm, SIP URIs, display forms and ports', () => {
    assert.deepEqual(uriParts('1001@sip.example.com'), { user: '1001', realm: 'sip.example.com' });
    assert.deepEqual(uriParts('sip:1001@sip.example.com'), { user: '1001', realm: 'sip.example.com' });
    assert.deepEqual(uriParts('<sip:1000@127.0.0.1:5061;transport=UDP>'), { user: '1000', realm: '127.0.0.1' });
    assert.deepEqual(uriParts('sip.example.com'), { user: '', realm: 'sip.example.com' });
  });
});
