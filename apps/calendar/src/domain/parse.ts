import ICAL from 'ical.js';
import { FifeError } from '@fife/api';

/** One unfolded content line and the 1-based physical line it starts on. */
interface ContentLine {
  line: number;
  text: string;
}

function unfold(text: string): ContentLine[] {
  const physical = text.split(/\r?\n/);
  const out: ContentLine[] = [];
  physical.forEach((raw, i) => {
    const last = out[out.length - 1];
    if ((raw.startsWith(' ') || raw.startsWith('\t')) && last) last.text += raw.slice(1);
    else if (raw.trim() !== '') out.push({ line: i + 1, text: raw });
  });
  return out;
}

/**
 * Some producers write `BYDAY=MO, TU` in RRULE/EXRULE; libical reads it, ical.js refuses the whole
 * file, so blanks inside recurrence rules are dropped before ical.js sees them.
 */
function tolerateRuleSpaces(l: ContentLine): ContentLine {
  if (!/^(RRULE|EXRULE)[;:]/i.test(l.text)) return l;
  const colon = l.text.indexOf(':');
  return { line: l.line, text: l.text.slice(0, colon + 1) + l.text.slice(colon + 1).replace(/\s+/g, '') };
}

function propertyName(text: string): string {
  const m = /^[^;:]*/.exec(text);
  return (m?.[0] ?? '').trim().toUpperCase() || '(none)';
}

function refuse(line: number, property: string, reason: string): FifeError {
  return new FifeError('calendar.parse', `line ${line}, property ${property}: ${reason}`, { line, property, reason });
}

/**
 * Finds the first content line that makes the text unparsable, to name it in the error: a line
 * without a name and ':'/';', a property whose value ical.js rejects, or BEGIN/END that do not nest.
 */
function locateFault(lines: ContentLine[]): FifeError | undefined {
  const open: { name: string; line: number }[] = [];
  for (const { line, text } of lines) {
    const name = propertyName(text);
    if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)?$/.test(name) || !/[:;]/.test(text)) {
      return refuse(line, '(none)', `not a content line: ${JSON.stringify(text.slice(0, 80))}`);
    }
    const value = text.slice(text.indexOf(':') + 1).trim().toUpperCase();
    if (name === 'BEGIN') open.push({ name: value, line });
    else if (name === 'END') {
      const top = open.pop();
      if (!top || top.name !== value) return refuse(line, 'END', `END:${value} does not close ${top ? `BEGIN:${top.name} of line ${top.line}` : 'any component'}`);
    } else {
      try {
        ICAL.parse.property(text);
      } catch (err) {
        return refuse(line, name, (err as Error).message);
      }
    }
  }
  const unclosed = open.pop();
  if (unclosed) return refuse(unclosed.line, 'BEGIN', `BEGIN:${unclosed.name} is never closed`);
  return undefined;
}

/** Properties whose values are DATE or DATE-TIME (PERIOD for some RDATEs): ical.js keeps any text there. */
const DATE_PROPERTIES = new Set(['DTSTART', 'DTEND', 'DUE', 'RECURRENCE-ID', 'EXDATE', 'RDATE']);

/** Why `value` is not a calendar date or date-time (RFC 5545 §3.3.4/§3.3.5), or undefined when it is one. */
function dateFault(value: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value);
  if (!m) return `${JSON.stringify(value.slice(0, 40))} is not a DATE or DATE-TIME`;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth) return `${value} is not a day of the calendar`;
  if (hour > 23 || minute > 59 || second > 60) return `${value} is not a time of day`;
  return undefined;
}

/**
 * ical.js accepts `DTSTART:hello` and the expansion then silently yields nothing, so a calendar that
 * can never be open would be stored: such values are refused here, with their line.
 */
function locateBadDate(lines: ContentLine[]): FifeError | undefined {
  for (const { line, text } of lines) {
    const name = propertyName(text);
    if (!DATE_PROPERTIES.has(name)) continue;
    const m = /^((?:[^:"]|"[^"]*")*):(.*)$/.exec(text);
    if (!m) continue;
    const period = /;VALUE=PERIOD/i.test(m[1]!);
    for (const item of m[2]!.trim().split(',')) {
      const fault = dateFault(period ? item.split('/')[0]! : item);
      if (fault) return refuse(line, name, fault);
    }
  }
  return undefined;
}

/**
 * Parses iCalendar text into its VCALENDAR components. Unparsable text is refused with a
 * `calendar.parse` FifeError whose message and context name the line and the property.
 */
export function parseCalendars(icsText: string): ICAL.Component[] {
  const text = icsText.charCodeAt(0) === 0xfeff ? icsText.slice(1) : icsText;
  const lines = unfold(text).map(tolerateRuleSpaces);
  let jcal: unknown;
  try {
    jcal = ICAL.parse(lines.map((l) => l.text).join('\r\n'));
  } catch (err) {
    throw locateFault(lines) ?? refuse(0, '(unknown)', (err as Error).message);
  }
  const badDate = locateBadDate(lines);
  if (badDate) throw badDate;
  const roots = (Array.isArray(jcal) && typeof jcal[0] === 'string' ? [jcal] : (jcal as unknown[])) as unknown[];
  const calendars = roots
    .map((j) => new ICAL.Component(j as unknown[] as never))
    .filter((c) => c.name === 'vcalendar');
  if (calendars.length === 0) {
    const first = lines[0];
    throw refuse(first?.line ?? 1, first ? propertyName(first.text) : '(none)', 'no VCALENDAR at the top level');
  }
  return calendars;
}
