import { FifeError, isFifeError } from '@fife/api';
import { parseIcs } from '../domain/index.js';

export interface FeedValidators {
  etag?: string;
  lastModified?: string;
}

export interface FeedLimits {
  maxBytes: number;
  timeoutMs: number;
}

export type FeedFetch = { kind: 'not_modified' } | { kind: 'fetched'; ics: string; etag?: string; lastModified?: string };

/** The URL of a secret address must never reach a log: callers get its host only. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unparsable url)';
  }
}

function conditionalHeaders(v: FeedValidators): Record<string, string> {
  const headers: Record<string, string> = { accept: 'text/calendar, */*;q=0.5', 'user-agent': 'Fife-Calendar/0.1' };
  if (v.etag) headers['if-none-match'] = v.etag;
  if (v.lastModified) headers['if-modified-since'] = v.lastModified;
  return headers;
}

/** Reads the body, giving up as soon as it grows past the limit (a huge feed never sits in memory). */
async function readLimited(response: Response, maxBytes: number, host: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FifeError('calendar.feed_too_large', `feed at ${host} is ${declared} bytes, more than the ${maxBytes} allowed`, { host, bytes: declared, maxBytes });
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  if (!reader) return '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new FifeError('calendar.feed_too_large', `feed at ${host} is more than the ${maxBytes} bytes allowed`, { host, maxBytes });
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function failure(err: unknown, host: string, timeoutMs: number): FifeError {
  if (isFifeError(err)) return err;
  const e = err as Error;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new FifeError('calendar.feed_timeout', `feed at ${host} did not answer within ${timeoutMs} ms`, { host, timeoutMs });
  }
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const reason = withoutUrls(cause?.code ?? cause?.message ?? e?.message ?? String(err));
  return new FifeError('calendar.feed_unreachable', `feed at ${host}: ${reason}`, { host });
}

/** fetch() quotes the whole URL in some errors (tokens and passwords included): only its host may be told. */
function withoutUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => hostOf(url));
}

/**
 * fetch() refuses a URL with `user:password@`, yet that is how a protected feed is written: the
 * credentials become a basic-auth header and the request goes to the URL without them.
 */
function requestTarget(url: string): { href: string; authorization?: string } {
  const u = new URL(fetchableUrl(url));
  if (u.username === '' && u.password === '') return { href: u.toString() };
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return { href: u.toString(), authorization };
}

/** webcal:// is how calendar apps spell "subscribe to this"; the feed itself is served over HTTPS. */
export function fetchableUrl(url: string): string {
  return url.replace(/^webcals?:/i, 'https:');
}

/**
 * One conditional GET of a remote calendar: 304 → `not_modified`; 200 with parsable iCalendar →
 * `fetched`. Anything else (HTTP error, timeout, oversize, not iCalendar) throws a typed error and
 * leaves the caller's last good copy alone.
 */
export async function fetchFeed(url: string, validators: FeedValidators, limits: FeedLimits): Promise<FeedFetch> {
  const host = hostOf(url);
  try {
    const target = requestTarget(url);
    const headers = { ...conditionalHeaders(validators), ...(target.authorization ? { authorization: target.authorization } : {}) };
    const response = await fetch(target.href, { headers, redirect: 'follow', signal: AbortSignal.timeout(limits.timeoutMs) });
    if (response.status === 304) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'not_modified' };
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new FifeError('calendar.feed_http', `feed at ${host} answered HTTP ${response.status}`, { host, status: response.status });
    }
    const ics = await readLimited(response, limits.maxBytes, host);
    try {
      parseIcs(ics);
    } catch (err) {
      throw new FifeError('calendar.feed_invalid', `feed at ${host} is not usable iCalendar: ${(err as Error).message}`, { host });
    }
    const etag = response.headers.get('etag') ?? undefined;
    const lastModified = response.headers.get('last-modified') ?? undefined;
    return { kind: 'fetched', ics, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
  } catch (err) {
    throw failure(err, host, limits.timeoutMs);
  }
}
