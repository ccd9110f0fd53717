import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { expand, RollingStatus, StatusIndex, type BusyInterval } from './index.js';
import { BUSINESS_HOURS, calendar } from './test-calendars.js';

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');

function indexOf(ics: string, from: string, to: string): StatusIndex<BusyInterval> {
  return new StatusIndex(expand(ics, { from, to, defaultZone: 'Europe/Brussels' }), { start: ms(from), end: ms(to) });
}

describe('status index over business hours', () => {
  const idx = indexOf(BUSINESS_HOURS, '2026-03-01T00:00:00Z', '2026-12-01T00:00:00Z');

  test('open inside hours, until closing time (winter, UTC+1)', () => {
    const s = idx.statusAt(ms('2026-03-27T15:00:00Z'));
    assert.equal(s.busy, true);
    assert.equal(iso(s.until), '2026-03-27T16:00:00Z');
    assert.deepEqual(s.active.map((a) => a.summary), ['Open']);
  });

  test('closed over the weekend the clocks go forward, until Monday 09:00 summer time', () => {
    const s = idx.statusAt(ms('2026-03-28T12:00:00Z'));
    assert.equal(s.busy, false);
    assert.equal(iso(s.until), '2026-03-30T07:00:00Z');
    assert.equal(s.active.length, 0);
  });

  test('the interval is half-open: closed at exactly 17:00, open at exactly 09:00', () => {
    assert.equal(idx.busyAt(ms('2026-03-30T15:00:00Z')), false);
    assert.equal(idx.busyAt(ms('2026-03-30T07:00:00Z')), true);
    assert.equal(idx.busyAt(ms('2026-03-30T06:59:59Z')), false);
  });

  test('closed over the weekend the clocks go back, until Monday 09:00 winter time', () => {
    const s = idx.statusAt(ms('2026-10-24T10:00:00Z'));
    assert.equal(s.busy, false);
    assert.equal(iso(s.until), '2026-10-26T08:00:00Z');
    assert.equal(idx.statusAt(ms('2026-10-23T14:59:59Z')).busy, true);
  });

  test('a query outside the window is refused, not guessed', () => {
    assert.throws(() => idx.statusAt(ms('2027-01-01T00:00:00Z')), (e: unknown) => isFifeError(e, 'calendar.window'));
  });

  test('the busy flag runs to the window end when nothing flips before it', () => {
    const short = indexOf(BUSINESS_HOURS, '2026-03-28T00:00:00Z', '2026-03-29T00:00:00Z');
    const s = short.statusAt(ms('2026-03-28T10:00:00Z'));
    assert.equal(s.busy, false);
    assert.equal(s.untilIsWindowEnd, true);
    assert.equal(iso(s.until), '2026-03-29T00:00:00Z');
  });
});

describe('merging overlapping and adjacent intervals', () => {
  const ics = calendar(
    ['UID:morning', 'DTSTART:20260601T080000Z', 'DTEND:20260601T120000Z', 'SUMMARY:Morning'],
    ['UID:afternoon', 'DTSTART:20260601T120000Z', 'DTEND:20260601T160000Z', 'SUMMARY:Afternoon'],
    ['UID:meeting', 'DTSTART:20260601T110000Z', 'DTEND:20260601T130000Z', 'SUMMARY:Meeting'],
    ['UID:instant', 'DTSTART:20260601T170000Z', 'SUMMARY:Zero length'],
  );
  const idx = indexOf(ics, '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z');

  test('adjacent and overlapping intervals make one busy span', () => {
    assert.deepEqual(idx.busySpans.map((s) => [iso(s.start), iso(s.end)]), [['2026-06-01T08:00:00Z', '2026-06-01T16:00:00Z']]);
  });

  test('until is the end of the merged span; nextChange the next change of the active set', () => {
    const s = idx.statusAt(ms('2026-06-01T11:30:00Z'));
    assert.equal(iso(s.until), '2026-06-01T16:00:00Z');
    assert.equal(iso(s.nextChange), '2026-06-01T12:00:00Z');
    assert.deepEqual(s.active.map((a) => a.uid), ['morning', 'meeting']);
    assert.deepEqual(idx.statusAt(ms('2026-06-01T12:00:00Z')).active.map((a) => a.uid), ['meeting', 'afternoon']);
  });

  test('zero-length events are never active', () => {
    assert.equal(idx.busyAt(ms('2026-06-01T17:00:00Z')), false);
  });
});

describe('rolling window', () => {
  test('rebuilds from the source only when the clock leaves the window', () => {
    const calls: string[] = [];
    const rolling = new RollingStatus(
      (from, to) => {
        calls.push(iso(from));
        return expand(BUSINESS_HOURS, { from, to, defaultZone: 'Europe/Brussels' });
      },
      7 * 86400_000,
      86400_000,
    );
    assert.equal(rolling.statusAt(ms('2026-03-27T15:00:00Z')).busy, true);
    assert.equal(rolling.statusAt(ms('2026-03-28T15:00:00Z')).busy, false);
    assert.equal(calls.length, 1);
    assert.equal(rolling.statusAt(ms('2026-04-02T12:00:00Z')).busy, true);
    assert.equal(calls.length, 1, 'still inside the window and before the refresh margin');
    const later = rolling.statusAt(ms('2026-04-03T12:00:00Z'));
    assert.equal(later.busy, true);
    assert.equal(iso(later.until), '2026-04-03T15:00:00Z');
    assert.deepEqual(calls, ['2026-03-27T15:00:00Z', '2026-04-03T12:00:00Z']);
  });
});
