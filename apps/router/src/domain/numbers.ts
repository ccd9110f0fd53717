import type { Numbering } from './documents.js';

/** The forms one dialed number takes in an account; `e164` is undefined for extensions and unknown formats. */
export interface NumberForms {
  dialed: string;
  e164?: string;
  national?: string;
  /** Every form a callflow may list the number under, the dialed one first, without duplicates. */
  candidates: string[];
}

/** `sip:+32 2 555-12-34@realm` → `+3225551234`: the user part, without visual separators. */
export function cleanDialed(raw: string): string {
  let user = raw.trim();
  user = user.replace(/^(sips?|tel):/i, '');
  const at = user.indexOf('@');
  if (at >= 0) user = user.slice(0, at);
  const semi = user.indexOf(';');
  if (semi >= 0) user = user.slice(0, semi);
  // Visual separators only when what remains is a number; `*97` or `user.name` stay as they are.
  const compact = user.replace(/[\s().-]/g, '');
  return /^\+?\d+$/.test(compact) ? compact : user;
}

function toE164(number: string, plan: Numbering): string | undefined {
  if (number.startsWith('+')) return /^\+\d{6,15}$/.test(number) ? number : undefined;
  if (!/^\d+$/.test(number) || number.length <= plan.short_max_length) return undefined;
  if (number.startsWith(plan.international_prefix)) return `+${number.slice(plan.international_prefix.length)}`;
  if (plan.national_prefix !== '' && number.startsWith(plan.national_prefix)) {
    return `+${plan.country_code}${number.slice(plan.national_prefix.length)}`;
  }
  // Written with the country code but no `+` (what many carriers send).
  if (number.startsWith(plan.country_code)) return `+${number}`;
  return undefined;
}

/**
 * Normalises a dialed number the way Whistle's DID conversions did: without a numbering plan only the
 * dialed form counts; with one, E.164, national and no-plus forms of the same number all match.
 */
export function numberForms(raw: string, plan?: Numbering): NumberForms {
  const dialed = cleanDialed(raw);
  const out = new Set<string>([dialed]);
  if (!plan) return { dialed, candidates: [...out] };
  const e164 = toE164(dialed, plan);
  if (!e164) return { dialed, candidates: [...out] };
  const international = e164.slice(1);
  const national = international.startsWith(plan.country_code)
    ? `${plan.national_prefix}${international.slice(plan.country_code.length)}`
    : undefined;
  out.add(e164);
  if (national) out.add(national);
  out.add(international);
  out.add(`${plan.international_prefix}${international}`);
  return { dialed, e164, ...(national ? { national } : {}), candidates: [...out] };
}

/** The number as a carrier gateway wants it. */
export function formatForGateway(forms: NumberForms, format: 'e164' | 'e164_no_plus' | 'national'): string {
  if (!forms.e164) return forms.dialed;
  if (format === 'e164') return forms.e164;
  if (format === 'e164_no_plus') return forms.e164.slice(1);
  return forms.national ?? forms.e164;
}
