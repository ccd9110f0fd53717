/**
 * Routing-key segment encoding shared by Kazoo (kz_amqp_util:encode) and Kamailio (kz.encode):
 * a dot inside a realm or call-id must not split the key.
 */
const KEPT = /[A-Za-z0-9\-~_]/;

export function encodeSegment(segment: string): string {
  if (segment === '*' || segment === '#') return segment;
  let out = '';
  for (const byte of Buffer.from(segment, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && KEPT.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeSegment(segment: string): string {
  return decodeURIComponent(segment.replace(/\+/g, ' '));
}

/** Joins literal and variable parts: variable parts are encoded, literals are kept. */
export function routingKey(...parts: Array<string | { raw: string }>): string {
  return parts.map((p) => (typeof p === 'string' ? encodeSegment(p) : p.raw)).join('.');
}
