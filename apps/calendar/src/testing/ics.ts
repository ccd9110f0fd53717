/** Builds iCalendar text (CRLF lines) from VEVENT property lists, for tests. */
export function ics(...events: string[][]): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Fife//calendar tests//EN'];
  for (const e of events) lines.push('BEGIN:VEVENT', ...e, 'END:VEVENT');
  lines.push('END:VCALENDAR', '');
  return lines.join('\r\n');
}

/** Weekdays 09:00-17:00 (or `until`) in Brussels, from Monday 4 January 2027. */
export function brusselsHours(until = '170000'): string {
  return ics([
    'UID:support-hours@example.net',
    'DTSTART;TZID=Europe/Brussels:20270104T090000',
    `DTEND;TZID=Europe/Brussels:20270104T${until}`,
    'RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
    'SUMMARY:Support open',
  ]);
}
