/**
 * Civil-calendar arithmetic on plain seconds. A "wall" value is a local clock reading counted as if
 * it were UTC (seconds since 1970-01-01T00:00 of that clock); an "epoch" value is a real instant.
 * Integer arithmetic keeps the expansion exact and fast (no Date objects in the hot loops).
 */
export const DAY = 86400;

export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export interface CivilTime extends CivilDate {
  hour: number;
  minute: number;
  second: number;
}

export function wallOf(t: CivilTime): number {
  return daysFromCivil(t.year, t.month, t.day) * DAY + t.hour * 3600 + t.minute * 60 + t.second;
}

export function civilOfWall(wall: number): CivilTime {
  const days = floorDiv(wall, DAY);
  const sec = wall - days * DAY;
  return { ...civilFromDays(days), hour: Math.floor(sec / 3600), minute: Math.floor(sec / 60) % 60, second: sec % 60 };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DDTHH:MM:SSZ`, the oracle's instant format. */
export function formatUtc(epoch: number): string {
  const t = civilOfWall(epoch);
  return `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}Z`;
}

const INSTANT_FORMS = [
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z?$/,
  /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z?$/,
  /^(\d{4})-(\d{2})-(\d{2})$/,
  /^(\d{4})(\d{2})(\d{2})$/,
];

/** Parses the instants the oracle accepts (UTC date-time, basic or extended, or a date = UTC midnight). */
export function parseInstant(text: string): number | undefined {
  for (const form of INSTANT_FORMS) {
    const m = form.exec(text);
    if (!m) continue;
    const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
    return wallOf({ year: y!, month: mo!, day: d!, hour: h ?? 0, minute: mi ?? 0, second: s ?? 0 });
  }
  return undefined;
}
