import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { validateDocument } from '@fife/store';
import { registerCalendarDocuments } from './calendar-doc.js';

registerCalendarDocuments();

const ICS = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:h', 'DTSTART:20260105T080000Z', 'DTEND:20260105T160000Z', 'RRULE:FREQ=WEEKLY;BYDAY=MO', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

function refusal(doc: Record<string, unknown>): { field: string; message: string } {
  try {
    validateDocument({ _id: 'cal', pvt_type: 'calendar', ...doc });
  } catch (err) {
    assert.ok(isFifeError(err) && err.code === 'store.invalid_document', String(err));
    return { field: String(err.context?.field), message: err.message };
  }
  assert.fail('document was accepted');
}

describe('calendar documents', () => {
  test('a valid inline calendar gets its defaults', () => {
    const doc: Record<string, unknown> = validateDocument({ _id: 'cal', pvt_type: 'calendar', name: 'Support', source: { type: 'inline', ics: ICS } });
    assert.equal(doc.kind, 'hours');
    assert.equal(doc.timezone, 'UTC');
  });

  test('a remote calendar gets its refresh interval', () => {
    const doc: Record<string, unknown> = validateDocument({ pvt_type: 'calendar', name: 'G', timezone: 'Europe/Brussels', source: { type: 'remote', url: 'https://calendar.google.com/calendar/ical/x/private-y/basic.ics' } });
    assert.equal((doc.source as { refresh_s: number }).refresh_s, 900);
    const webcal = validateDocument({ pvt_type: 'calendar', name: 'O', source: { type: 'remote', url: 'webcal://outlook.office365.com/owa/calendar/a/b/calendar.ics' } });
    assert.equal((webcal.source as { url: string }).url, 'webcal://outlook.office365.com/owa/calendar/a/b/calendar.ics');
  });

  test('unparsable ICS is refused naming source.ics, the line and the property', () => {
    const bad = ICS.replace('BYDAY=MO', 'BYDAY=XX');
    const r = refusal({ name: 'Support', source: { type: 'inline', ics: bad } });
    assert.equal(r.field, 'source.ics');
    assert.match(r.message, /line 7, property RRULE/);
  });

  test('other fields are named too', () => {
    assert.equal(refusal({ name: 'S', timezone: 'Mars/Olympus', source: { type: 'inline', ics: ICS } }).field, 'timezone');
    assert.equal(refusal({ name: 'S', source: { type: 'remote', url: 'ftp://x/y.ics' } }).field, 'source.url');
    assert.equal(refusal({ name: 'S', source: { type: 'remote', url: 'https://x/y.ics', refresh_s: 5 } }).field, 'source.refresh_s');
    assert.equal(refusal({ name: 'S', kind: 'personal', closures: 'hol', source: { type: 'inline', ics: ICS } }).field, 'closures');
    assert.equal(refusal({ name: 'S', kind: 'oncall', source: { type: 'inline', ics: ICS } }).field, 'oncall');
    assert.equal(refusal({ name: 'S', kind: 'oncall', oncall: { patterns: [{ source: 'summary', regex: '(' }] }, source: { type: 'inline', ics: ICS } }).field, 'oncall.patterns.0.regex');
    assert.equal(refusal({ name: 'S', kind: 'oncall', oncall: { sources: ['location'] }, source: { type: 'inline', ics: ICS } }).field, 'oncall.sources.0');
    assert.equal(refusal({ name: '', source: { type: 'inline', ics: ICS } }).field, 'name');
  });
});
