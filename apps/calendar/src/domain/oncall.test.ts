import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { expand, OnCallResolver, StatusIndex } from './index.js';

/** A weekly rota handing over on Monday 09:00 Brussels time, written with DTEND a week later. */
const ROTA = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:test',
  'BEGIN:VEVENT',
  'UID:alice-week',
  'DTSTART;TZID=Europe/Brussels:20260323T090000',
  'DTEND;TZID=Europe/Brussels:20260330T090000',
  'SUMMARY:Primary',
  'ATTENDEE;CN=Alice:mailto:Alice@Example.com',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:bob-week',
  'DTSTART;TZID=Europe/Brussels:20260330T090000',
  'DTEND;TZID=Europe/Brussels:20260406T090000',
  'SUMMARY:On call: bob',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:backup',
  'DTSTART;TZID=Europe/Brussels:20260323T090000',
  'DTEND;TZID=Europe/Brussels:20260406T090000',
  'SUMMARY:Backup',
  'CATEGORIES:team-noc,escalation',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');
const from = '2026-03-16T00:00:00Z';
const to = '2026-04-13T00:00:00Z';
const index = new StatusIndex(expand(ROTA, { from, to, defaultZone: 'Europe/Brussels' }), { start: ms(from), end: ms(to) });
const resolver = new OnCallResolver({
  users: { 'alice@example.com': 'u-alice', bob: 'u-bob', 'team-noc': 'u-noc-lead' },
  patterns: [{ source: 'summary', regex: '^On call: (?<user>\\w+)$' }],
});

describe('on-call from calendar events', () => {
  test('attendee addresses map to users (mailto: and case ignored); categories too', () => {
    const at = resolver.onCallAt(index, ms('2026-03-25T12:00:00Z'));
    assert.deepEqual(at.userIds, ['u-alice', 'u-noc-lead']);
    assert.deepEqual(at.events.map((e) => [e.event.uid, e.userIds]), [
      ['alice-week', ['u-alice']],
      ['backup', ['u-noc-lead']],
    ]);
  });

  test('the hand-over follows the wall clock across the DST change: no gap, no overlap', () => {
    const before = resolver.onCallAt(index, ms('2026-03-30T06:59:59Z'));
    assert.deepEqual(before.userIds, ['u-alice', 'u-noc-lead']);
    assert.equal(iso(before.until), '2026-03-30T07:00:00Z');
    const after = resolver.onCallAt(index, ms('2026-03-30T07:00:00Z'));
    assert.deepEqual(after.userIds, ['u-noc-lead', 'u-bob']);
  });

  test('a SUMMARY pattern names the user through its named group', () => {
    assert.deepEqual(resolver.usersOf({ uid: 'x', summary: 'On call: BOB', start: 0, end: 1, attendees: [], categories: [] }), ['u-bob']);
  });

  test('a pattern can name the user itself; unmapped events name nobody', () => {
    const r = new OnCallResolver({ sources: ['summary'], patterns: [{ source: 'categories', regex: '^escalation$', userId: 'u-manager' }] });
    const at = r.onCallAt(index, ms('2026-04-01T12:00:00Z'));
    assert.deepEqual(at.userIds, ['u-manager']);
    assert.deepEqual(at.events.map((e) => [e.event.uid, e.userIds]), [
      ['backup', ['u-manager']],
      ['bob-week', []],
    ]);
  });

  test('nobody is on call outside the rota', () => {
    assert.deepEqual(resolver.onCallAt(index, ms('2026-04-08T12:00:00Z')).userIds, []);
  });

  test('a bad mapping is refused with the offending field', () => {
    assert.throws(
      () => new OnCallResolver({ sources: ['location' as 'summary'] }),
      (e: unknown) => isFifeError(e, 'calendar.oncall_config') && /sources\.0/.test(e.message),
    );
    assert.throws(
      () => new OnCallResolver({ patterns: [{ source: 'summary', regex: '(' }] }),
      (e: unknown) => isFifeError(e, 'calendar.oncall_config') && /patterns\.0\.regex/.test(e.message),
    );
  });
});
