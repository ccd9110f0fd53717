import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expand, OpeningHours } from './index.js';
import { BUSINESS_HOURS } from './test-calendars.js';

const CLOSURES = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:test',
  'BEGIN:VEVENT',
  'UID:easter-monday',
  'DTSTART;VALUE=DATE:20260406',
  'SUMMARY:Easter Monday',
  'TRANSP:TRANSPARENT',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:staff-lunch',
  'DTSTART;TZID=Europe/Brussels:20260331T120000',
  'DTEND;TZID=Europe/Brussels:20260331T140000',
  'SUMMARY:Staff lunch',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');
const window = { from: '2026-03-01T00:00:00Z', to: '2026-06-01T00:00:00Z', defaultZone: 'Europe/Brussels' };
const hours = new OpeningHours(expand(BUSINESS_HOURS, window), expand(CLOSURES, window), { start: ms(window.from), end: ms(window.to) });

describe('business hours combined with closures', () => {
  test('a holiday closes a working day; open again the next morning', () => {
    const s = hours.statusAt(ms('2026-04-06T10:00:00Z'));
    assert.equal(s.open, false);
    assert.equal(iso(s.until), '2026-04-07T07:00:00Z');
    assert.deepEqual(s.closures.map((c) => c.summary), ['Easter Monday']);
    assert.deepEqual(s.hours.map((h) => h.summary), ['Open']);
  });

  test('a partial closure cuts the day in two', () => {
    const before = hours.statusAt(ms('2026-03-31T09:00:00Z'));
    assert.equal(before.open, true);
    assert.equal(iso(before.until), '2026-03-31T10:00:00Z');
    const during = hours.statusAt(ms('2026-03-31T10:30:00Z'));
    assert.equal(during.open, false);
    assert.equal(iso(during.until), '2026-03-31T12:00:00Z');
    const after = hours.statusAt(ms('2026-03-31T12:00:00Z'));
    assert.equal(after.open, true);
    assert.equal(iso(after.until), '2026-03-31T15:00:00Z');
  });

  test('outside business hours it is closed with no closure involved', () => {
    const s = hours.statusAt(ms('2026-04-04T10:00:00Z'));
    assert.equal(s.open, false);
    assert.equal(s.closures.length, 0);
    assert.equal(iso(s.until), '2026-04-07T07:00:00Z');
  });

  test('open spans are the hours minus the closures', () => {
    const day = hours.openSpans.filter((s) => s.start >= ms('2026-03-31T00:00:00Z') && s.end <= ms('2026-04-01T00:00:00Z'));
    assert.deepEqual(day.map((s) => [iso(s.start), iso(s.end)]), [
      ['2026-03-31T07:00:00Z', '2026-03-31T10:00:00Z'],
      ['2026-03-31T12:00:00Z', '2026-03-31T15:00:00Z'],
    ]);
    assert.equal(hours.isOpen(ms('2026-04-06T08:00:00Z')), false);
  });
});
