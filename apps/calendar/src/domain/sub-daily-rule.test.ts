import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expand, toOracleTsv } from './index.js';

const CUSTOM_EU_ZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Custom',
  'BEGIN:STANDARD',
  'DTSTART:19961027T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:19810329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
];

const every5h = (tzid: string): string[] => {
  const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:t', ...CUSTOM_EU_ZONE, 'BEGIN:VEVENT', 'UID:b', `DTSTART;TZID=${tzid}:20260328T220000`, 'RRULE:FREQ=HOURLY;INTERVAL=5;COUNT=3', 'SUMMARY:b', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
  return toOracleTsv(expand(ics, { from: '2026-01-01', to: '2027-01-01', defaultZone: 'Europe/Brussels' }))
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[1]!);
};

// Expected values are the reference expander's (libical 3.0.16 on ICU) output for the same input.
describe('sub-daily rules across a DST change, as the reference iterates them', () => {
  test('a zone the tz database knows steps in elapsed hours', () => {
    assert.deepEqual(every5h('Europe/Brussels'), ['2026-03-28T21:00:00Z', '2026-03-29T02:00:00Z', '2026-03-29T07:00:00Z']);
  });

  test('an embedded VTIMEZONE with a private name steps on the wall clock', () => {
    assert.deepEqual(every5h('Custom'), ['2026-03-28T21:00:00Z', '2026-03-29T01:00:00Z', '2026-03-29T06:00:00Z']);
  });

  test('a rule that cannot advance (HOURLY on a DATE) is abandoned, not spun forever', () => {
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:t', 'BEGIN:VEVENT', 'UID:d', 'DTSTART;VALUE=DATE:20260223', 'RRULE:FREQ=HOURLY;COUNT=5', 'SUMMARY:d', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const started = Date.now();
    const got = expand(ics, { from: '2026-01-01', to: '2027-01-01', defaultZone: 'Europe/Brussels' });
    assert.ok(Date.now() - started < 20_000);
    assert.equal(got[0]?.start, Date.parse('2026-02-22T23:00:00Z'));
  });
});
