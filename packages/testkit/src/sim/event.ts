import { fsUrlEncode } from './url-encode.js';

export type HeaderValue = string | string[];

/**
 * An event as FreeSWITCH holds it: an ordered header list (order matters on the wire) and an optional body.
 * Names are compared case-insensitively, as switch_event_get_header does.
 */
export class FsEvent {
  readonly headers: Array<[string, HeaderValue]> = [];
  body: string | undefined;

  constructor(init: ReadonlyArray<readonly [string, HeaderValue]> = []) {
    for (const [k, v] of init) this.add(k, v);
  }

  get name(): string {
    return this.get('Event-Name') ?? '';
  }

  get subclass(): string | undefined {
    return this.get('Event-Subclass');
  }

  get(name: string): string | undefined {
    const value = this.find(name)?.[1];
    return Array.isArray(value) ? value[0] : value;
  }

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  /** Appends, like switch_event_add_header with SWITCH_STACK_BOTTOM. */
  add(name: string, value: HeaderValue): this {
    this.headers.push([name, value]);
    return this;
  }

  /** Adds only when absent; FreeSWITCH never duplicates Hangup-Cause and friends. */
  addIfAbsent(name: string, value: HeaderValue): this {
    if (!this.has(name)) this.add(name, value);
    return this;
  }

  set(name: string, value: HeaderValue): this {
    const found = this.find(name);
    if (found) found[1] = value;
    else this.add(name, value);
    return this;
  }

  delete(name: string): this {
    const lower = name.toLowerCase();
    for (let i = this.headers.length - 1; i >= 0; i--) {
      if (this.headers[i]![0].toLowerCase() === lower) this.headers.splice(i, 1);
    }
    return this;
  }

  clone(): FsEvent {
    const copy = new FsEvent(this.headers.map(([k, v]) => [k, Array.isArray(v) ? [...v] : v] as const));
    copy.body = this.body;
    return copy;
  }

  toRecord(): Record<string, HeaderValue> {
    const out: Record<string, HeaderValue> = {};
    for (const [k, v] of this.headers) if (!(k in out)) out[k] = v;
    return out;
  }

  private find(name: string): [string, HeaderValue] | undefined {
    const lower = name.toLowerCase();
    return this.headers.find(([k]) => k.toLowerCase() === lower);
  }
}

const arrayString = (v: string[]): string => `ARRAY::${v.join('|:')}`;

/** switch_event_serialize_json: every value a string, arrays as arrays, body as Content-Length + _body. */
export function serializeJson(event: FsEvent): string {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of event.headers) if (!(k in out)) out[k] = v;
  if (event.body !== undefined) {
    out['Content-Length'] = String(Buffer.byteLength(event.body));
    out['_body'] = event.body;
  }
  return JSON.stringify(out);
}

/** switch_event_serialize with encoding: URL-encoded values, `_undef_` for empty ones, a nested Content-Length for the body. */
export function serializePlain(event: FsEvent): string {
  let out = '';
  for (const [k, v] of event.headers) {
    const text = Array.isArray(v) ? arrayString(v) : v;
    out += `${k}: ${text === '' ? '_undef_' : fsUrlEncode(text)}\n`;
  }
  if (event.body !== undefined) out += `Content-Length: ${Buffer.byteLength(event.body)}\n\n${event.body}`;
  else out += '\n';
  return out;
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** switch_event_xmlize: headers URL-encoded inside <headers>, the body (XML-escaped) after a Content-Length element. */
export function serializeXml(event: FsEvent): string {
  let out = '<event>\n  <headers>\n';
  for (const [k, v] of event.headers) {
    const text = Array.isArray(v) ? arrayString(v) : v;
    out += `    <${k}>${fsUrlEncode(text)}</${k}>\n`;
  }
  out += '  </headers>\n';
  if (event.body !== undefined) {
    out += `  <Content-Length>${Buffer.byteLength(event.body)}</Content-Length>\n  <body>${xmlEscape(event.body)}  </body>\n`;
  }
  return out + '</event>\n';
}

export type EventFormat = 'plain' | 'json' | 'xml';

export function serializeEvent(event: FsEvent, format: EventFormat): string {
  if (format === 'json') return serializeJson(event);
  if (format === 'xml') return serializeXml(event);
  return serializePlain(event);
}
