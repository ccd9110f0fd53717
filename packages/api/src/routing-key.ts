import { FifeError } from './errors.js';

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

/**
 * The routing key on `targeted` for a reply: the request's Server-ID verbatim (kazoo-wire §1.4), minus
 * Kazoo's `pid://<erlang pid>/` prefix, which names a process Fife cannot deliver to (§1.2).
 */
export function replyKey(serverId: string): string {
  const match = /^pid:\/\/[^/]*\/(.+)$/.exec(serverId);
  return match?.[1] ?? serverId;
}

/** `routingKey` of every point-to-point declaration: the key is the target, never the message. */
export function targetedKey(_msg: unknown, target?: string): string {
  if (!target) {
    throw new FifeError('api.no_target', 'a point-to-point message needs the Server-ID or Control-Queue it goes to');
  }
  return replyKey(target);
}

/** AMQP topic matching: `*` is exactly one word, `#` zero or more. */
export function topicMatches(binding: string, key: string): boolean {
  return matchWords(binding.split('.'), key.split('.'));
}

function matchWords(pattern: string[], words: string[]): boolean {
  if (pattern.length === 0) return words.length === 0;
  const [head, ...rest] = pattern;
  if (head === '#') {
    for (let skip = 0; skip <= words.length; skip++) if (matchWords(rest, words.slice(skip))) return true;
    return false;
  }
  if (words.length === 0) return false;
  return (head === '*' || head === words[0]) && matchWords(rest, words.slice(1));
}

/** The domain part of `user@realm` or `sip:user@realm;params`; the whole value when there is no `@`. */
export function uriParts(value: string): { user: string; realm: string } {
  const bare = value.replace(/^<?(sips?:)?/i, '').replace(/[>;].*$/, '');
  const at = bare.lastIndexOf('@');
  if (at < 0) return { user: '', realm: bare.replace(/:\d+$/, '') };
  return { user: bare.slice(0, at), realm: bare.slice(at + 1).replace(/:\d+$/, '') };
}
