/** iCalendar texts shared by the unit tests (kept out of *.test.ts so importing them runs no tests). */
export const calendar = (...events: string[][]): string =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:test', ...events.flatMap((e) => ['BEGIN:VEVENT', ...e, 'END:VEVENT']), 'END:VCALENDAR', ''].join('\r\n');

/** Mon-Fri 09:00-17:00 Brussels time, weekly from March 2026 (DST starts 29 March, ends 25 October). */
export const BUSINESS_HOURS = calendar([
  'UID:bh',
  'DTSTART;TZID=Europe/Brussels:20260302T090000',
  'DTEND;TZID=Europe/Brussels:20260302T170000',
  'RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
  'SUMMARY:Open',
]);

