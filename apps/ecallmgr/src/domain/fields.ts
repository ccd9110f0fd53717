/**
 * Request and event data as FreeSWITCH sends it: header name → value (a JSON event may carry a list).
 * mod_xml_curl POST bodies and ESL events both become this shape.
 */
export type Fields = Readonly<Record<string, string | readonly string[]>>;

/** First value of a field; empty strings count as absent (FreeSWITCH writes `_undef_` / '' for unset). */
export function get(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  const first = typeof value === 'string' ? value : value?.[0];
  return first === undefined || first === '' || first === '_undef_' ? undefined : first;
}

/** The first of several names that is set. */
export function first(fields: Fields, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = get(fields, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

export function variable(fields: Fields, name: string): string | undefined {
  return get(fields, `variable_${name}`);
}

/**
 * A form-encoded mod_xml_curl body. FreeSWITCH url-encodes every value; the first occurrence of a
 * repeated name wins (FreeSWITCH repeats a few headers with the same value).
 */
export function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) if (!(k in out)) out[k] = v;
  return out;
}

/** `ARRAY::a|:b` (FreeSWITCH's list form) → ['a', 'b']; any other value unchanged. */
export function fromFsArray(value: string | readonly string[]): string | string[] {
  if (typeof value !== 'string') return [...value];
  if (!value.startsWith('ARRAY::')) return value;
  return value.slice('ARRAY::'.length).split('|:');
}
