/**
 * Calendar engine benchmark (bounded well under 60 s):
 *  1. status queries/s on a business-hours calendar (in-process StatusIndex; target >= 500,000/s);
 *  2. time to parse, expand (one year) and index 1,000 distinct calendars;
 *  3. time to expand the whole public corpus (both windows of every file) with Fife's engine vs a
 *     plain ical.js expansion of the same files (ICAL.Event iterator, no Fife fixes), and how many
 *     of the expected files each reproduces byte for byte.
 * Prints markdown table rows.
 */
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import { fixturePath, hasShared } from '@fife/testkit';
import { expand, StatusIndex, toOracleTsv, type BusyInterval } from '../src/domain/index.js';

const YEAR_FROM = Date.parse('2026-01-01T00:00:00Z');
const YEAR_TO = Date.parse('2027-01-01T00:00:00Z');

function businessHours(n: number): string {
  const zones = ['Europe/Brussels', 'America/New_York', 'W. Europe Standard Time', 'Asia/Tokyo'];
  const open = 7 + (n % 4);
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:bench',
    'BEGIN:VEVENT',
    `UID:bh-${n}`,
    `DTSTART;TZID=${zones[n % zones.length]}:20260105T${String(open).padStart(2, '0')}0000`,
    `DTEND;TZID=${zones[n % zones.length]}:20260105T${String(open + 8).padStart(2, '0')}0000`,
    'RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
    `EXDATE;TZID=${zones[n % zones.length]}:20260406T${String(open).padStart(2, '0')}0000`,
    'SUMMARY:Open',
    'END:VEVENT',
    'BEGIN:VEVENT',
    `UID:lunch-${n}`,
    'DTSTART;VALUE=DATE:20261225',
    'SUMMARY:Closed',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function statusQueries(): { perSecond: number; segments: number } {
  const idx = new StatusIndex(expand(businessHours(0), { from: YEAR_FROM, to: YEAR_TO, defaultZone: 'Europe/Brussels' }), { start: YEAR_FROM, end: YEAR_TO });
  const n = 1_500_000;
  const span = YEAR_TO - YEAR_FROM;
  let open = 0;
  let x = 12345;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const s = idx.statusAt(YEAR_FROM + (x % span));
    if (s.busy) open += s.until > 0 ? 1 : 0;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (open === 0 || open === n) throw new Error('bench calendar broken: always open or always closed');
  return { perSecond: n / seconds, segments: idx.segmentCount };
}

function indexThousand(): number {
  const texts = Array.from({ length: 1000 }, (_, i) => businessHours(i));
  const t0 = performance.now();
  let segments = 0;
  for (const text of texts) {
    const idx = new StatusIndex(expand(text, { from: YEAR_FROM, to: YEAR_TO, defaultZone: 'Europe/Brussels' }), { start: YEAR_FROM, end: YEAR_TO });
    segments += idx.segmentCount;
  }
  if (segments < 1000 * 400) throw new Error(`bench calendars too small: ${segments} segments`);
  return performance.now() - t0;
}

interface CorpusJob {
  ics: string;
  zone: string;
  from: string;
  to: string;
  expected: string;
}

function corpusJobs(): CorpusJob[] {
  const rows = readFileSync(fixturePath('ical', 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  return rows.flatMap((row) => {
    const [file, zone, af, at, , ff, ft] = row.split('\t') as [string, string, string, string, string, string, string];
    const ics = readFileSync(fixturePath('ical', file), 'utf8');
    const base = file.replace(/\.ics$/, '');
    return [
      { ics, zone, from: af, to: at, expected: readFileSync(fixturePath('ical', `${base}.expected.tsv`), 'utf8') },
      { ics, zone, from: ff, to: ft, expected: readFileSync(fixturePath('ical', `${base}.2026-2027.expected.tsv`), 'utf8') },
    ];
  });
}

/** What a straightforward ical.js integration does: ICAL.Event + its iterator, zones from the file's VTIMEZONEs. */
function plainIcalJs(job: CorpusJob): string {
  const from = Date.parse(job.from) / 1000;
  const to = Date.parse(job.to) / 1000;
  const out: Pick<BusyInterval, 'uid' | 'summary' | 'start' | 'end'>[] = [];
  const jcal = ICAL.parse(job.ics);
  const roots = (typeof jcal[0] === 'string' ? [jcal] : jcal) as unknown[];
  for (const root of roots) {
    const cal = new ICAL.Component(root as never);
    for (const vtz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtz);
    const events = cal.getAllSubcomponents('vevent');
    const masters = events.filter((e) => !e.hasProperty('recurrence-id'));
    for (const vevent of masters) {
      const event = new ICAL.Event(vevent, { exceptions: events.filter((e) => e.hasProperty('recurrence-id') && e.getFirstPropertyValue('uid') === vevent.getFirstPropertyValue('uid')) });
      if (!event.startDate) continue;
      if (!event.isRecurring()) {
        out.push({ uid: event.uid, summary: event.summary ?? '', start: event.startDate.toUnixTime() * 1000, end: event.endDate.toUnixTime() * 1000 });
        continue;
      }
      const it = event.iterator();
      for (let i = 0, next = it.next(); next && i < 2_000_000; i++, next = it.next()) {
        const start = next.toUnixTime();
        if (start >= to) break;
        const d = event.getOccurrenceDetails(next);
        out.push({ uid: event.uid, summary: d.item.summary ?? '', start: d.startDate.toUnixTime() * 1000, end: d.endDate.toUnixTime() * 1000 });
      }
    }
  }
  return toOracleTsv(out.filter((i) => i.start / 1000 < to && (i.end / 1000 > from || (i.end === i.start && i.start / 1000 >= from))));
}

function corpus(): { fifeMs: number; fifeMatch: number; plainMs: number; plainMatch: number; plainErrors: number; jobs: number } {
  const jobs = corpusJobs();
  let t0 = performance.now();
  let fifeMatch = 0;
  for (const j of jobs) if (toOracleTsv(expand(j.ics, { from: j.from, to: j.to, defaultZone: j.zone })) === j.expected) fifeMatch++;
  const fifeMs = performance.now() - t0;
  t0 = performance.now();
  let plainMatch = 0;
  let plainErrors = 0;
  for (const j of jobs) {
    try {
      if (plainIcalJs(j) === j.expected) plainMatch++;
    } catch {
      plainErrors++;
    }
  }
  return { fifeMs, fifeMatch, plainMs: performance.now() - t0, plainMatch, plainErrors, jobs: jobs.length };
}

const q = statusQueries();
const indexMs = indexThousand();
const c = hasShared ? corpus() : undefined;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log('| status queries/s (target 500,000) | index 1,000 calendars (1 year each) | corpus expansion, Fife | corpus expansion, plain ical.js | expected files reproduced (Fife / plain ical.js) |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
console.log(
  `| ${fmt(q.perSecond)} (${q.segments} segments) | ${fmt(indexMs)} ms | ${c ? `${fmt(c.fifeMs)} ms` : 'no corpus'} | ${c ? `${fmt(c.plainMs)} ms` : 'no corpus'} | ${
    c ? `${c.fifeMatch}/${c.jobs} / ${c.plainMatch}/${c.jobs} (${c.plainErrors} refused)` : 'no corpus'
  } |`,
);
