import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCalendarIndex, type IndexedEvent } from './calendar-index.js';

const H = 3_600_000;
const window = { from: 0, to: 100 * H };

function ev(uid: string, start: number, end: number, extra: Partial<IndexedEvent> = {}): IndexedEvent {
  return { uid, summary: uid, start, end, categories: [], attendees: [], transparent: false, calendarId: 'c', role: 'event', ...extra };
}

describe('calendar index by kind (over the engine indexes)', () => {
  const hours = buildCalendarIndex(
    { kind: 'hours', events: [ev('mon', 9 * H, 17 * H), ev('tue', 33 * H, 41 * H), ev('wed', 57 * H, 65 * H)], closures: [ev('hol', 24 * H, 48 * H, { role: 'closure' })] },
    window,
  );

  test('hours: open inside hours with the next transition; the boundary belongs to the next state', () => {
    assert.deepEqual({ ...hours.at(10 * H), active: hours.at(10 * H).active.map((e) => e.uid) }, { status: 'open', until: 17 * H, users: [], active: ['mon'] });
    assert.equal(hours.at(9 * H - 1).status, 'closed');
    assert.equal(hours.at(9 * H - 1).until, 9 * H);
    assert.equal(hours.at(17 * H).status, 'closed');
  });

  test('hours: a closure wins; Until skips the closed day; both hours and closure are active', () => {
    const a = hours.at(35 * H);
    assert.equal(a.status, 'closed');
    assert.equal(a.until, 57 * H);
    assert.deepEqual(a.active.map((e) => e.uid).sort(), ['hol', 'tue']);
    assert.equal(hours.at(17 * H).until, 57 * H);
  });

  test('hours: no transition before the window ends → no Until', () => {
    assert.equal(hours.at(70 * H).until, undefined);
    assert.equal(hours.covers(100 * H), false);
    assert.equal(hours.covers(0), true);
  });

  test('personal: busy/free; transparent events are free time', () => {
    const idx = buildCalendarIndex({ kind: 'personal', events: [ev('a', 1 * H, 2 * H), ev('b', 2 * H, 3 * H), ev('t', 5 * H, 6 * H, { transparent: true })] }, window);
    assert.deepEqual([idx.at(1.5 * H).status, idx.at(1.5 * H).until], ['busy', 3 * H]);
    assert.deepEqual([idx.at(0).status, idx.at(0).until], ['free', 1 * H]);
    assert.equal(idx.at(5.5 * H).status, 'free');
  });

  test('on-call: users from attendee, summary pattern and categories; until the active set changes', () => {
    const idx = buildCalendarIndex(
      {
        kind: 'oncall',
        mapping: { users: { 'alice@example.net': 'u-alice', bob: 'u-bob', 'team-c': 'u-carol' }, patterns: [{ source: 'summary', regex: '^On call: (?<user>.+)$' }] },
        events: [
          ev('a', 0, 12 * H, { attendees: ['mailto:Alice@Example.net'], summary: 'Week 48' }),
          ev('b', 12 * H, 24 * H, { summary: 'On call: Bob' }),
          ev('c', 20 * H, 30 * H, { summary: 'Backup', categories: ['TEAM-C'] }),
        ],
      },
      window,
    );
    assert.deepEqual([idx.at(1 * H).users, idx.at(1 * H).until], [['u-alice'], 12 * H]);
    assert.deepEqual(idx.at(21 * H).users.sort(), ['u-bob', 'u-carol']);
    assert.equal(idx.at(21 * H).until, 24 * H);
    assert.deepEqual([idx.at(31 * H).status, idx.at(31 * H).until], ['closed', undefined]);
  });
});
