/**
 * FreeSWITCH's switch_url_encode: bytes below space or above '~' and the characters of SWITCH_URL_UNSAFE are
 * written as %XX (upper-case hex); everything else, including , ' ( ) / * ! $, stays as it is. An existing %XX
 * sequence (two hex digits) is not encoded twice (the default, non-double-encoding mode); any other `%` becomes %25.
 */
const UNSAFE = new Set('\r\n "#%&+:;<=>?@[\\]^`{|}'.split(''));
const HEX = /^[0-9A-Fa-f]{2}$/;

export function fsUrlEncode(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const ch = String.fromCharCode(b);
    if (b === 0x25 && i + 2 < bytes.length && HEX.test(String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0))) {
      out += ch;
      continue;
    }
    if (b < 0x20 || b > 0x7e || UNSAFE.has(ch)) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    else out += ch;
  }
  return out;
}

/** Form-body encoding used by mod_xml_curl for the request params (same rules as events). */
export function formEncode(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${k}=${fsUrlEncode(v)}`).join('&');
}
