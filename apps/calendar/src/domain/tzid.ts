import type ICAL from 'ical.js';
import { ianaZone } from './iana-zone.js';
import { VTimezoneZone } from './vtimezone-zone.js';
import { WINDOWS_ZONES } from './windows-zones.js';
import type { Zone } from './zone.js';

/** Area prefixes searched inside vendor-prefixed TZIDs such as `/mozilla.org/20050126_1/Europe/Berlin`. */
const AREAS = ['Africa/', 'America/', 'Antarctica/', 'Arctic/', 'Asia/', 'Atlantic/', 'Australia/', 'Europe/', 'Indian/', 'Pacific/', 'Etc/', 'US/'];

export type TzidSource = 'vtimezone' | 'iana' | 'prefixed' | 'windows' | 'unknown';

export interface ResolvedTzid {
  zone: Zone | null;
  source: TzidSource;
}

/**
 * Resolves TZIDs of one VCALENDAR in the reference order: an embedded VTIMEZONE with observances,
 * the IANA zone of that name, an IANA name inside a prefixed TZID, then a Windows zone name.
 * An unknown TZID resolves to null: the value is then floating (read in the default zone).
 */
export class TzidResolver {
  private readonly cache = new Map<string, ResolvedTzid>();
  private readonly vtimezones = new Map<string, ICAL.Component>();
  readonly unknown = new Set<string>();

  constructor(calendar: ICAL.Component) {
    for (const vtz of calendar.getAllSubcomponents('vtimezone')) {
      const tzid = vtz.getFirstPropertyValue('tzid');
      if (typeof tzid === 'string' && !this.vtimezones.has(tzid)) this.vtimezones.set(tzid, vtz);
    }
  }

  resolve(tzid: string): Zone | null {
    let hit = this.cache.get(tzid);
    if (!hit) {
      hit = this.lookup(tzid);
      if (!hit.zone) this.unknown.add(tzid);
      this.cache.set(tzid, hit);
    }
    return hit.zone;
  }

  private lookup(tzid: string): ResolvedTzid {
    const vtz = this.vtimezones.get(tzid);
    if (vtz && VTimezoneZone.usable(vtz)) return { zone: new VTimezoneZone(tzid, vtz), source: 'vtimezone' };
    const named = ianaZone(tzid);
    if (named) return { zone: named, source: 'iana' };
    for (const area of AREAS) {
      const at = tzid.indexOf(area);
      if (at < 0) continue;
      const inner = ianaZone(tzid.slice(at));
      if (inner) return { zone: inner, source: 'prefixed' };
    }
    const windows = WINDOWS_ZONES[tzid];
    const mapped = windows ? ianaZone(windows) : undefined;
    if (mapped) return { zone: mapped, source: 'windows' };
    return { zone: null, source: 'unknown' };
  }
}
