/**
 * FreeSWITCH's URL encoding of event header values (`switch_url_encode` / `switch_url_decode`).
 * It is not RFC 3986: `/ , ' ( )` stay as they are, `+` is encoded as `%2B` and never means a space.
 */

// Bytes FreeSWITCH escapes besides controls and non-ASCII (its `urlunsafe` set, checked against the captures).
const UNSAFE = new Uint8Array(256);
for (let b = 0; b < 256; b++) UNSAFE[b] = b < 0x20 || b > 0x7e ? 1 : 0;
for (const ch of '\r\n "#%&+:;<=>?@[\\]^`{|}') UNSAFE[ch.charCodeAt(0)] = 1;

const HEX = '0123456789ABCDEF';

export function urlEncode(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  let plainFrom = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (UNSAFE[b] === 0) continue;
    if (i > plainFrom) out += bytes.toString('latin1', plainFrom, i);
    out += '%' + HEX[b >> 4] + HEX[b & 15];
    plainFrom = i + 1;
  }
  return plainFrom === 0 ? value : out + bytes.toString('latin1', plainFrom);
}

/** Decodes `%XX`; an invalid escape stays literal and invalid UTF-8 becomes U+FFFD (never throws). */
export function urlDecode(value: string): string {
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return decodeBytewise(value);
  }
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function decodeBytewise(value: string): string {
  const source = Buffer.from(value, 'utf8');
  const out = Buffer.allocUnsafe(source.length);
  let n = 0;
  for (let i = 0; i < source.length; i++) {
    const b = source[i]!;
    if (b === 0x25 && i + 2 < source.length) {
      const hi = hexValue(source[i + 1]!);
      const lo = hexValue(source[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.toString('utf8', 0, n);
}
