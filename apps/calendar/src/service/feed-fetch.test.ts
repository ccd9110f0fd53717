import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchableUrl, hostOf } from './feed-fetch.js';

test('webcal addresses are fetched over https; logs see the host only', () => {
  assert.equal(fetchableUrl('webcal://outlook.office365.com/owa/calendar/x/calendar.ics'), 'https://outlook.office365.com/owa/calendar/x/calendar.ics');
  assert.equal(fetchableUrl('https://calendar.google.com/calendar/ical/a/private-b/basic.ics'), 'https://calendar.google.com/calendar/ical/a/private-b/basic.ics');
  assert.equal(hostOf('https://calendar.google.com/calendar/ical/a/private-b/basic.ics'), 'calendar.google.com');
});
