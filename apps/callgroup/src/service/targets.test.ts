import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RingLeg } from '../domain/index.js';
import { contactUri, deviceIdOf } from './stage2-lookup.js';
import { targetResolver } from './targets.js';

const leg = (over: Partial<RingLeg>): RingLeg => ({
  extension: '1001',
  device: '1001',
  kind: 'device',
  start_after_s: 0,
  stop_after_s: null,
  via_path: ['1001'],
  ...over,
});

test('contacts become safe device ids and bare URIs', () => {
  assert.equal(contactUri('<sip:1001@10.0.0.1:5060;transport=udp>;expires=60'), 'sip:1001@10.0.0.1:5060;transport=udp');
  assert.equal(contactUri('sip:1001@10.0.0.1:5060;expires=60'), 'sip:1001@10.0.0.1:5060');
  assert.equal(deviceIdOf('sip:1001@10.0.0.1:5060;transport=udp'), '1001@10.0.0.1_5060');
  assert.equal(deviceIdOf('sip:1001@[2001:db8::5]:5060'), '1001@2001_db8__5_5060');
});

test('dial targets per leg kind', () => {
  const resolve = targetResolver({
    sipProfile: 'internal',
    realm: 'example.com',
    externalTarget: 'sofia/gateway/carrier/{number}',
    contacts: new Map([
      ['d1', { uri: 'sip:1001@10.0.0.1:5060;transport=udp', username: '1001' }],
      ['d6', { uri: 'sip:1001@[2001:db8::5]:5060', username: '1001' }],
      ['gw', { uri: 'sip:0301@192.0.2.9:5060', username: '0301' }],
    ]),
    staticTargets: { '1500': 'loopback/app=conference:room1' },
  });
  assert.equal(resolve(leg({ device: 'd1' })), 'sofia/internal/sip:1001@10.0.0.1:5060;transport=udp');
  assert.equal(resolve(leg({ device: 'd6' })), 'user/1001@example.com', 'IPv6 brackets are dial-string syntax');
  assert.equal(resolve(leg({ device: 'unknown' })), 'user/unknown@example.com');
  assert.equal(resolve(leg({ extension: '030155512', device: 'gw' })), 'sofia/internal/sip:030155512@192.0.2.9:5060', 'trunk: full number as user');
  assert.equal(resolve(leg({ extension: '0049301234', device: null, kind: 'external' })), 'sofia/gateway/carrier/0049301234');
  assert.equal(resolve(leg({ extension: '1500', device: null, kind: 'static' })), 'loopback/app=conference:room1');
});
