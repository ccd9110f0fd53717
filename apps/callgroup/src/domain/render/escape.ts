import { FifeError } from '@fife/api';

/**
 * Characters with a meaning in a FreeSWITCH dial string: `,` leg separator, `|` failover,
 * `[]` per-leg and `{}` / `<>` global variable blocks, `^` custom delimiter (`^^:`), quotes
 * and backslash (the variable splitter honours them), `:_:` enterprise separator.
 */
const DIAL_META = /[,|[\]{}<>^'"\\]|:_:/g;
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * A free-text value (caller name, called name, language, ringback name) made safe for a
 * `{}` / `[]` variable: metacharacters become spaces, whitespace collapses, and a value with
 * spaces is single-quoted so the variable splitter keeps it in one piece.
 */
export function dialValue(value: string): string {
  const clean = value.replace(CONTROL, ' ').replace(DIAL_META, ' ').replace(/\s+/g, ' ').trim();
  return /\s/.test(clean) ? `'${clean}'` : clean;
}

/** A number that goes into a dial string: digits and the dial symbols `*#+` only, or refused. */
export function dialNumber(value: string, field = 'number'): string {
  if (!/^[0-9*#+]+$/.test(value)) {
    throw new FifeError('callgroup.render', `refusing to put ${JSON.stringify(value)} into a dial string`, { field });
  }
  return value;
}

/** A resolved dial target (`sofia/internal/sip:1001@10.0.0.11:5060`): refused if it could break out of its leg. */
export function dialTarget(value: string): string {
  if (value.length === 0 || /\s/.test(value) || new RegExp(DIAL_META.source).test(value)) {
    throw new FifeError('callgroup.render', `dial target ${JSON.stringify(value)} contains dial-string metacharacters`, {
      field: 'target',
    });
  }
  return value;
}

/** `name=value` pairs joined for a `{}`, `[]` or `<>` block; names are ours, values are escaped by the caller. */
export function variableBlock(open: '{' | '[' | '<', vars: ReadonlyArray<readonly [string, string]>): string {
  if (vars.length === 0) return '';
  const close = open === '{' ? '}' : open === '[' ? ']' : '>';
  return `${open}${vars.map(([k, v]) => `${k}=${v}`).join(',')}${close}`;
}
