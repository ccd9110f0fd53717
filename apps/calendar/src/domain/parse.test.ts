import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { expand } from './index.js';

function refusal(ics: string): { line: unknown; property: unknown; message: string } {
  try {
    expand(ics, { from: '2026-01-01', to: '2027-01-01' });
  } catch (err) {
    assert.ok(isFifeError(err, 'calendar.parse'), `expected calendar.parse, got ${String(err)}`);
    return { line: err.context.line, property: err.context.property, message: err.message };
  }
  assert.fail('the text was accepted');
}

const wrap = (...lines: string[]): string => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:a', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

describe('unparsable iCalendar is refused with the line and property', () => {
  test('a line that is no content line', () => {
    const r = refusal(wrap('DTSTART:20260101T100000Z', 'this is garbage'));
    assert.equal(r.line, 6);
    assert.match(r.message, /^line 6, property \(none\): not a content line: "this is garbage"/);
  });

  test('an RRULE with an unknown frequency', () => {
    const r = refusal(wrap('DTSTART:20260101T100000Z', 'RRULE:FREQ=SOMETIMES'));
    assert.deepEqual([r.line, r.property], [6, 'RRULE']);
    assert.match(r.message, /invalid frequency "SOMETIMES"/);
  });

  test('an RRULE with an unknown weekday', () => {
    const r = refusal(wrap('DTSTART:20260101T100000Z', 'RRULE:FREQ=WEEKLY;BYDAY=XX'));
    assert.deepEqual([r.line, r.property], [6, 'RRULE']);
  });

  test('an unterminated quoted parameter', () => {
    const r = refusal(wrap('DTSTART;TZID="Europe/Brussels:20260101T100000'));
    assert.deepEqual([r.line, r.property], [5, 'DTSTART']);
  });

  test('folded lines count from the line where the property starts', () => {
    const r = refusal(wrap('SUMMARY:a long', ' summary', 'DTSTART:20260101T100000Z', 'RRULE:FREQ=DAILY;', ' BYDAY=ZZ'));
    assert.deepEqual([r.line, r.property], [8, 'RRULE']);
  });

  test('a component that is never closed, or closed by the wrong END', () => {
    const r = refusal(['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:a', 'END:VCALENDAR', ''].join('\n'));
    assert.deepEqual([r.line, r.property], [4, 'END']);
    assert.match(r.message, /END:VCALENDAR does not close BEGIN:VEVENT of line 2/);
  });

  test('text without a VCALENDAR', () => {
    assert.equal(refusal('hello world').line, 1);
    assert.match(refusal(['BEGIN:VEVENT', 'UID:a', 'END:VEVENT'].join('\n')).message, /no VCALENDAR at the top level/);
  });

  test('blanks inside BYDAY lists are read, as libical reads them', () => {
    const ics = wrap('DTSTART:20260105T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=MO, TU', 'SUMMARY:x');
    assert.equal(expand(ics, { from: '2026-01-01', to: '2027-01-01' }).length, 3);
  });

  test('bad instants and zones in the options are refused too', () => {
    const ics = wrap('DTSTART:20260105T100000Z');
    assert.throws(() => expand(ics, { from: 'yesterday', to: '2027-01-01' }), (e: unknown) => isFifeError(e, 'calendar.instant'));
    assert.throws(() => expand(ics, { from: '2026-01-01', to: '2027-01-01', defaultZone: 'Mars/Olympus' }), (e: unknown) => isFifeError(e, 'calendar.zone'));
  });
});
