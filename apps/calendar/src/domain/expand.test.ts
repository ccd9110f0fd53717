import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expand, mergeSpans, subtractSpans, toOracleTsv, WINDOWS_ZONES } from './index.js';
import { calendar } from './test-calendars.js';

const lines = (ics: string, from = '2026-01-01', to = '2028-01-01', defaultZone = 'Europe/Brussels'): string[] =>
  toOracleTsv(expand(ics, { from, to, defaultZone })).split('\n').filter(Boolean);

describe('time zones', () => {
  test('Windows, IANA, vendor-prefixed and unknown TZIDs', () => {
    const at = (tzid: string): string => lines(calendar(['UID:x', `DTSTART;TZID=${tzid}:20260701T120000`, 'SUMMARY:s']))[0]!.split('\t')[1]!;
    assert.equal(at('W. Europe Standard Time'), '2026-07-01T10:00:00Z');
    assert.equal(at('"Eastern Standard Time"'), '2026-07-01T16:00:00Z');
    assert.equal(at('America/Sao_Paulo'), '2026-07-01T15:00:00Z');
    assert.equal(at('/mozilla.org/20050126_1/Asia/Tokyo'), '2026-07-01T03:00:00Z');
    // unknown: floating, read in the default zone
    assert.equal(at('Middle Earth Time'), '2026-07-01T10:00:00Z');
    assert.equal(WINDOWS_ZONES['Romance Standard Time'], 'Europe/Paris');
  });

  test('a time in the spring gap takes the offset before it; a repeated time is its first occurrence', () => {
    const ics = calendar(
      ['UID:gap', 'DTSTART;TZID=Europe/Brussels:20260329T023000', 'DURATION:PT1H', 'SUMMARY:gap'],
      ['UID:overlap', 'DTSTART;TZID=Europe/Brussels:20261025T023000', 'DURATION:PT1H', 'SUMMARY:overlap'],
    );
    assert.deepEqual(lines(ics), [
      'gap\t2026-03-29T01:30:00Z\t2026-03-29T02:30:00Z\tgap',
      'overlap\t2026-10-25T00:30:00Z\t2026-10-25T01:30:00Z\toverlap',
    ]);
  });

  test('a night shift keeps its wall-clock end across DST (nominal DTEND), or its length (exact)', () => {
    const ics = calendar([
      'UID:n',
      'DTSTART;TZID=Europe/Brussels:20260327T220000',
      'DTEND;TZID=Europe/Brussels:20260328T060000',
      'RRULE:FREQ=DAILY;COUNT=2',
      'SUMMARY:night',
    ]);
    assert.deepEqual(lines(ics), ['n\t2026-03-27T21:00:00Z\t2026-03-28T05:00:00Z\tnight', 'n\t2026-03-28T21:00:00Z\t2026-03-29T04:00:00Z\tnight']);
    const exact = toOracleTsv(expand(ics, { from: '2026-01-01', to: '2027-01-01', defaultZone: 'UTC', dtend: 'exact' }));
    assert.equal(exact, 'n\t2026-03-27T21:00:00Z\t2026-03-28T05:00:00Z\tnight\nn\t2026-03-28T21:00:00Z\t2026-03-29T05:00:00Z\tnight\n');
  });

  test('all-day events follow the default zone', () => {
    const ics = calendar(['UID:d', 'DTSTART;VALUE=DATE:20260704', 'SUMMARY:holiday']);
    assert.deepEqual(lines(ics, '2026-01-01', '2027-01-01', 'America/New_York'), ['d\t2026-07-04T04:00:00Z\t2026-07-05T04:00:00Z\tholiday']);
  });
});

describe('recurrence exceptions', () => {
  test('EXDATE, a moved and a cancelled occurrence, THISANDFUTURE', () => {
    const ics = calendar(
      ['UID:w', 'DTSTART:20260105T100000Z', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY;COUNT=6', 'EXDATE:20260112T100000Z', 'SUMMARY:weekly'],
      ['UID:w', 'RECURRENCE-ID:20260119T100000Z', 'DTSTART:20260119T140000Z', 'DURATION:PT30M', 'SUMMARY:moved'],
      ['UID:w', 'RECURRENCE-ID:20260126T100000Z', 'STATUS:CANCELLED', 'DTSTART:20260126T100000Z', 'SUMMARY:cancelled'],
      ['UID:w', 'RECURRENCE-ID;RANGE=THISANDFUTURE:20260202T100000Z', 'DTSTART:20260202T080000Z', 'DURATION:PT2H', 'SUMMARY:earlier'],
    );
    assert.deepEqual(lines(ics), [
      'w\t2026-01-05T10:00:00Z\t2026-01-05T11:00:00Z\tweekly',
      'w\t2026-01-19T14:00:00Z\t2026-01-19T14:30:00Z\tmoved',
      'w\t2026-02-02T08:00:00Z\t2026-02-02T10:00:00Z\tearlier',
      'w\t2026-02-09T08:00:00Z\t2026-02-09T10:00:00Z\tearlier',
    ]);
  });
});

describe('oracle TSV', () => {
  test('escapes, trims SUMMARY, sorts bytewise and ends every line with LF', () => {
    const tsv = toOracleTsv([
      { uid: 'b', summary: '  tab\there\\ \n', start: 0, end: 1000 },
      { uid: 'a\u00e9', summary: 'x', start: 0, end: 0 },
      { uid: 'a', summary: 'y', start: 86400_000, end: 86400_000 },
    ]);
    assert.equal(tsv, 'a\t1970-01-02T00:00:00Z\t1970-01-02T00:00:00Z\ty\na\u00e9\t1970-01-01T00:00:00Z\t1970-01-01T00:00:00Z\tx\nb\t1970-01-01T00:00:00Z\t1970-01-01T00:00:01Z\ttab\\there\\\\\n');
    assert.equal(toOracleTsv([]), '');
  });
});

describe('span sets', () => {
  test('merge and subtract', () => {
    const merged = mergeSpans([{ start: 5, end: 8 }, { start: 0, end: 3 }, { start: 3, end: 4 }, { start: 6, end: 6 }]);
    assert.deepEqual(merged, [{ start: 0, end: 4 }, { start: 5, end: 8 }]);
    assert.deepEqual(subtractSpans(merged, [{ start: 1, end: 2 }, { start: 3, end: 6 }, { start: 7, end: 9 }]), [
      { start: 0, end: 1 },
      { start: 2, end: 3 },
      { start: 6, end: 7 },
    ]);
  });
});
