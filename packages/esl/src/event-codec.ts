import type { FifeError } from '@fife/api';
import { eslError, eslErrorCodes } from './errors.js';
import type { EslEvent, EslEventHeaders, EslHeaderValue } from './event.js';
import { urlDecode, urlEncode } from './url-codec.js';

/**
 * The three serialisations FreeSWITCH uses for an event body (`switch_event.c`): json, plain, xml.
 * Decoders return a FifeError instead of throwing, because they run inside socket callbacks.
 */

const ARRAY_PREFIX = 'ARRAY::';
const ARRAY_SEPARATOR = '|:';
const UNDEFINED_VALUE = '_undef_';
const LF = 0x0a;

/**
 * cJSON's unformatted output puts every member value right after `":`. If every value there is a string
 * or an array of strings, all headers are valid and the walk over ~200 properties is skipped: one regex
 * pass that stops only at arrays. It only ever errs towards the walk (a `":` inside a string costs it).
 */
const VALUE_NOT_STRING = /":[^"]/g;

function onlyStringValues(text: string): boolean {
  VALUE_NOT_STRING.lastIndex = 0;
  for (let match = VALUE_NOT_STRING.exec(text); match !== null; match = VALUE_NOT_STRING.exec(text)) {
    const at = match.index + 2;
    if (text.charCodeAt(at) !== 91 || !isStringArray(text, at + 1)) return false;
    VALUE_NOT_STRING.lastIndex = at + 1;
  }
  return true;
}

/** `from` is just after `[`: `]`, or `"..."` items separated by `,` and closed by `]`. */
function isStringArray(text: string, from: number): boolean {
  let at = from;
  if (text.charCodeAt(at) === 93) return true;
  for (;;) {
    if (text.charCodeAt(at) !== 34) return false;
    at = endOfString(text, at + 1);
    if (at === -1) return false;
    const next = text.charCodeAt(at + 1);
    if (next === 93) return true;
    if (next !== 44) return false;
    at += 2;
  }
}

/** Index of the closing quote of a string whose content starts at `from`, honouring backslash escapes. */
function endOfString(text: string, from: number): number {
  for (let quote = text.indexOf('"', from); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return -1;
}

export function decodeJsonEvent(body: Buffer): EslEvent | FifeError {
  let parsed: unknown;
  const text = body.toString('utf8');
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return eslError(eslErrorCodes.eventMalformed, `text/event-json body is not JSON: ${(error as Error).message}`, {
      bytes: body.length,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return eslError(eslErrorCodes.eventMalformed, 'text/event-json body is not a JSON object', { bytes: body.length });
  }
  const headers = parsed as Record<string, unknown>;
  const badKey = onlyStringValues(text) ? undefined : firstNonHeaderValue(headers);
  if (badKey !== undefined) {
    return eslError(eslErrorCodes.eventMalformed, `text/event-json header "${badKey}" is neither a string nor a string array`);
  }
  const body_ = headers._body;
  if (body_ === undefined) return { headers: headers as EslEventHeaders };
  if (typeof body_ !== 'string') return eslError(eslErrorCodes.eventMalformed, 'text/event-json "_body" is not a string');
  delete headers._body;
  return { headers: headers as EslEventHeaders, body: body_ };
}

function firstNonHeaderValue(headers: Record<string, unknown>): string | undefined {
  for (const key in headers) {
    const value = headers[key];
    if (typeof value === 'string' || key === '_body') continue;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) continue;
    return key;
  }
  return undefined;
}

/** A plain event is itself a header block (URL-encoded values) with an optional nested Content-Length body. */
export function decodePlainEvent(body: Buffer): EslEvent | FifeError {
  let end = body.indexOf('\n\n');
  const headerEnd = end === -1 ? trimTrailingNewlines(body) : end;
  const headers = parsePlainHeaderLines(body.toString('utf8', 0, headerEnd));
  if (typeof headers === 'string') return eslError(eslErrorCodes.eventMalformed, `text/event-plain ${headers}`);
  if (end === -1) return { headers };
  end += 2;
  const declared = headers['Content-Length'];
  if (declared === undefined) {
    return end < body.length ? { headers, body: body.toString('utf8', end) } : { headers };
  }
  const length = typeof declared === 'string' ? parseContentLength(declared) : -1;
  if (length < 0 || end + length > body.length) {
    return eslError(eslErrorCodes.eventMalformed, `text/event-plain nested Content-Length "${String(declared)}" does not fit`, {
      available: body.length - end,
    });
  }
  return { headers, body: body.toString('utf8', end, end + length) };
}

function trimTrailingNewlines(buf: Buffer): number {
  let end = buf.length;
  while (end > 0 && buf[end - 1] === LF) end--;
  return end;
}

function parsePlainHeaderLines(block: string): EslEventHeaders | string {
  const headers: EslEventHeaders = {};
  let start = 0;
  while (start < block.length) {
    let stop = block.indexOf('\n', start);
    if (stop === -1) stop = block.length;
    const colon = block.indexOf(':', start);
    if (colon === -1 || colon >= stop || colon === start) return `header line "${block.slice(start, stop)}" has no name`;
    const valueStart = block.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
    const lineEnd = block.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
    headers[block.slice(start, colon)] = plainValue(block.slice(valueStart, Math.max(valueStart, lineEnd)));
    start = stop + 1;
  }
  return headers;
}

function plainValue(raw: string): EslHeaderValue {
  const value = urlDecode(raw);
  if (value === UNDEFINED_VALUE) return '';
  if (value.startsWith(ARRAY_PREFIX)) return value.slice(ARRAY_PREFIX.length).split(ARRAY_SEPARATOR);
  return value;
}

/** Decimal digits only; -1 when the text is not a valid length. */
export function parseContentLength(text: string): number {
  if (text.length === 0 || text.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `<event><headers><Name>urlencoded</Name>...</headers><Content-Length>n</Content-Length><body>...</body></event>`.
 * FreeSWITCH pretty-prints it, so the body text is cut to Content-Length bytes.
 */
export function decodeXmlEvent(body: Buffer): EslEvent | FifeError {
  const xml = body.toString('utf8');
  const open = xml.indexOf('<headers>');
  const close = xml.indexOf('</headers>', open);
  if (open === -1 || close === -1) return eslError(eslErrorCodes.eventMalformed, 'text/event-xml has no <headers> element');
  const headers = parseXmlElements(xml, open + '<headers>'.length, close);
  if (typeof headers === 'string') return eslError(eslErrorCodes.eventMalformed, `text/event-xml ${headers}`);
  const tail = parseXmlElements(xml, close + '</headers>'.length, xml.lastIndexOf('</event>'));
  if (typeof tail === 'string') return eslError(eslErrorCodes.eventMalformed, `text/event-xml ${tail}`);
  const declared = tail['Content-Length'];
  const rawBody = tail.body;
  if (typeof declared !== 'string' || typeof rawBody !== 'string') return { headers };
  headers['Content-Length'] = declared;
  const length = parseContentLength(declared);
  const text = xmlUnescape(rawBody, false);
  const bytes = Buffer.from(text, 'utf8');
  return { headers, body: length >= 0 && length < bytes.length ? bytes.toString('utf8', 0, length) : text };
}

function parseXmlElements(xml: string, from: number, to: number): EslEventHeaders | string {
  const out: EslEventHeaders = {};
  let at = xml.indexOf('<', from);
  while (at !== -1 && at < to) {
    const nameEnd = xml.indexOf('>', at);
    if (nameEnd === -1 || nameEnd > to) return 'element is not closed';
    const name = xml.slice(at + 1, nameEnd);
    const closeTag = `</${name}>`;
    const valueEnd = xml.indexOf(closeTag, nameEnd + 1);
    if (valueEnd === -1 || valueEnd > to) return `element <${name}> has no end tag`;
    const raw = xml.slice(nameEnd + 1, valueEnd);
    const value = name === 'body' ? raw : urlDecode(xmlUnescape(raw, true));
    const previous = out[name];
    out[name] = previous === undefined ? value : ([] as string[]).concat(previous, value);
    at = xml.indexOf('<', valueEnd + closeTag.length);
  }
  return out;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlUnescape(text: string, trim: boolean): string {
  const source = trim ? text.trim() : text;
  if (source.indexOf('&') === -1) return source;
  return source.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return XML_ENTITIES[entity] ?? '';
  });
}

// ---- encoders: what FreeSWITCH writes, for test servers, simulators and round trips ----

function withBodyLength(event: EslEvent): Array<[string, EslHeaderValue]> {
  const entries = Object.entries(event.headers).filter(([name]) => name !== 'Content-Length');
  if (event.body !== undefined) entries.push(['Content-Length', String(Buffer.byteLength(event.body))]);
  return entries;
}

/** cJSON-style unformatted object; a body adds `Content-Length` and `_body` last. */
export function encodeJsonEvent(event: EslEvent): string {
  const object: Record<string, unknown> = Object.fromEntries(withBodyLength(event));
  if (event.body !== undefined) object._body = event.body;
  return JSON.stringify(object);
}

export function encodePlainEvent(event: EslEvent): Buffer {
  let text = '';
  for (const [name, value] of withBodyLength(event)) {
    if (name === 'Content-Length') continue;
    const flat = typeof value === 'string' ? value : ARRAY_PREFIX + value.join(ARRAY_SEPARATOR);
    text += `${name}: ${flat === '' ? UNDEFINED_VALUE : urlEncode(flat)}\n`;
  }
  if (event.body === undefined) return Buffer.from(text + '\n', 'utf8');
  const body = Buffer.from(event.body, 'utf8');
  return Buffer.concat([Buffer.from(`${text}Content-Length: ${body.length}\n\n`, 'utf8'), body]);
}

export function encodeXmlEvent(event: EslEvent): Buffer {
  let xml = '<event>\n  <headers>\n';
  for (const [name, value] of Object.entries(event.headers)) {
    if (name === 'Content-Length') continue;
    for (const v of typeof value === 'string' ? [value] : value) xml += `    <${name}>${urlEncode(v)}</${name}>\n`;
  }
  xml += '  </headers>\n';
  if (event.body !== undefined) {
    const escaped = event.body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    xml += `  <Content-Length>${Buffer.byteLength(event.body)}</Content-Length>\n  <body>${escaped}</body>\n`;
  }
  return Buffer.from(xml + '</event>\n', 'utf8');
}
