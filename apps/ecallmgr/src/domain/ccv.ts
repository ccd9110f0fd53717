import { fromFsArray, type Fields } from './fields.js';
import { isSafeVarKey } from './escape.js';

/**
 * Kazoo's naming between AMQP objects and channel variables (kazoo-wire §7.3): a Custom-Channel-Var
 * `K` lives on the channel as `ecallmgr_K`, a Custom-Application-Var as `cav_K`, a custom SIP header
 * `X-Foo` as `sip_h_X-Foo`. Kamailio relays CCVs as `X-ecallmgr_K` headers.
 */
export const CCV_PREFIX = 'ecallmgr_';
export const CAV_PREFIX = 'cav_';

export type VarObject = Record<string, string | string[]>;

function collect(fields: Fields, prefixes: string[]): VarObject {
  const out: VarObject = {};
  for (const [name, value] of Object.entries(fields)) {
    for (const prefix of prefixes) {
      if (!name.startsWith(prefix)) continue;
      const key = name.slice(prefix.length);
      if (key !== '' && !(key in out)) out[key] = fromFsArray(value);
    }
  }
  return out;
}

/** CCVs from channel data (`variable_ecallmgr_K`, then `variable_sip_h_X-ecallmgr_K` for relayed calls). */
export function ccvsOf(fields: Fields): VarObject {
  return collect(fields, [`variable_${CCV_PREFIX}`, `variable_sip_h_X-${CCV_PREFIX}`]);
}

export function cavsOf(fields: Fields): VarObject {
  return collect(fields, [`variable_${CAV_PREFIX}`]);
}

/** Custom `X-` SIP headers of the INVITE, without Kazoo's own `X-ecallmgr_` relay headers. */
export function customSipHeadersOf(fields: Fields): VarObject {
  const headers = collect(fields, ['variable_sip_h_']);
  for (const key of Object.keys(headers)) if (!/^X-/i.test(key) || key.startsWith(`X-${CCV_PREFIX}`)) delete headers[key];
  return headers;
}

/** A CCV/CAV value as channel-variable text: lists in FreeSWITCH's `ARRAY::` form, objects as JSON. */
export function varText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `ARRAY::${value.map((v) => varText(v) ?? '').join('|:')}`;
  return JSON.stringify(value);
}

/** `[name, text]` pairs for a CCV object under a prefix; keys that could not be a variable name are skipped. */
export function prefixedVars(prefix: string, object: Record<string, unknown> | undefined): Array<[string, string]> {
  if (!object) return [];
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(object)) {
    const text = varText(value);
    if (text !== undefined && isSafeVarKey(key)) out.push([`${prefix}${key}`, text]);
  }
  return out;
}
