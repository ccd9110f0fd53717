import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bool,
  flag,
  GREGORIAN_OFFSET,
  int,
  isTrue,
  numericText,
  toGregorianSeconds,
  toUnixSeconds,
  unixSeconds,
} from './index.js';

describe('lenient scalars', () => {
  test('integers arrive as numbers or strings and leave as numbers', () => {
    assert.equal(int.parse('3600'), 3600);
    assert.equal(int.parse(3600), 3600);
    assert.equal(int.parse('-5'), -5);
    assert.equal(int.safeParse('36x').success, false);
    assert.equal(int.safeParse('').success, false);
    assert.equal(int.safeParse(1.5).success, false);
    assert.equal(int.safeParse(true).success, false);
  });
  test('booleans arrive as JSON booleans or "true"/"false" and leave as booleans', () => {
    assert.equal(bool.parse('true'), true);
    assert.equal(bool.parse('false'), false);
    assert.equal(bool.parse(true), true);
    assert.equal(bool.parse(false), false);
    assert.equal(bool.safeParse('yes').success, false);
    assert.equal(bool.safeParse(1).success, false);
  });
  test('string flags (Defer-Response, Permanent-Error) leave as the strings peers compare', () => {
    assert.equal(flag.parse(true), 'true');
    assert.equal(flag.parse('true'), 'true');
    assert.equal(flag.parse(false), 'false');
    assert.equal(flag.safeParse('TRUE').success, false);
    assert.ok(isTrue('true') && isTrue(true) && isTrue('TRUE'));
    assert.ok(!isTrue('false') && !isTrue(undefined) && !isTrue(1));
  });
  test('numeric text (ports, SIP codes) leaves as text', () => {
    assert.equal(numericText.parse(5060), '5060');
    assert.equal(numericText.parse('5060'), '5060');
  });
});

describe('timestamps (kazoo-wire §10.5)', () => {
  test('Gregorian seconds become Unix seconds, Unix seconds stay', () => {
    assert.equal(toUnixSeconds(63877470274), 63877470274 - GREGORIAN_OFFSET);
    assert.equal(toUnixSeconds(63877470274), 1710251074);
    assert.equal(toUnixSeconds(1710251074), 1710251074);
    assert.equal(unixSeconds.parse('63877470274'), 1710251074);
    assert.equal(unixSeconds.parse(1795327035), 1795327035);
  });
  test('and back', () => {
    assert.equal(toGregorianSeconds(1710251074), 63877470274);
    assert.equal(toGregorianSeconds(63877470274), 63877470274);
  });
});
