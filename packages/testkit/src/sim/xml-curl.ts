import type { Clock } from './clock.js';
import type { FsEvent } from './event.js';
import { fsUrlEncode } from './url-encode.js';
import { findSection, parseXml, type XmlNode } from './xml-tree.js';

/** mod_xml_curl binding: where to POST, with what credentials, how long to wait. */
export interface XmlCurlBinding {
  url: string;
  /** `user:password` for HTTP basic auth (gateway-credentials). */
  credentials?: string;
  timeoutMs?: number;
}

export interface FetchKey {
  section: 'directory' | 'dialplan' | 'configuration';
  tagName: string;
  keyName: string;
  keyValue: string;
}

export interface XmlCurlExchange {
  section: string;
  body: string;
  status: number | undefined;
  response: string | undefined;
  error: string | undefined;
}

/**
 * The HTTP side of mod_xml_curl (xml_url_fetch): one urlencoded POST per lookup, body
 * `hostname&section&tag_name&key_name&key_value&<event headers>`, User-Agent freeswitch-xml/1.0.
 * Anything but a 200 with parsable XML is "no answer" (undefined) and the caller falls back.
 */
export class XmlCurlClient {
  readonly exchanges: XmlCurlExchange[] = [];

  constructor(
    private readonly binding: XmlCurlBinding | undefined,
    private readonly clock: Clock,
    private readonly hostname: () => string,
  ) {}

  get configured(): boolean {
    return this.binding !== undefined;
  }

  static formBody(hostname: string, key: FetchKey, params: FsEvent): string {
    const head = [
      ['hostname', hostname],
      ['section', key.section],
      ['tag_name', key.tagName],
      ['key_name', key.keyName],
      ['key_value', key.keyValue],
    ] as const;
    const pairs = [...head.map(([k, v]) => `${k}=${fsUrlEncode(v)}`)];
    for (const [k, v] of params.headers) pairs.push(`${k}=${fsUrlEncode(Array.isArray(v) ? v.join(',') : v)}`);
    return pairs.join('&');
  }

  /** Resolves to the parsed section, `'not-found'` for an explicit miss, or undefined when there was no usable answer. */
  async fetch(key: FetchKey, params: FsEvent): Promise<XmlNode | 'not-found' | undefined> {
    if (!this.binding) return undefined;
    const body = XmlCurlClient.formBody(this.hostname(), key, params);
    const text = await this.clock.track(this.post(body, key.section));
    if (text === undefined) return undefined;
    let roots: XmlNode[];
    try {
      roots = parseXml(text);
    } catch {
      return undefined;
    }
    const result = findSection(roots, 'result');
    const status = result?.children.find((c) => c.name === 'result')?.attrs['status'];
    if (status === 'not found') return 'not-found';
    return findSection(roots, key.section);
  }

  private async post(body: string, section: string): Promise<string | undefined> {
    const binding = this.binding!;
    const headers: Record<string, string> = {
      'User-Agent': 'freeswitch-xml/1.0',
      Accept: '*/*',
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    if (binding.credentials) headers['Authorization'] = `Basic ${Buffer.from(binding.credentials).toString('base64')}`;
    const exchange: XmlCurlExchange = { section, body, status: undefined, response: undefined, error: undefined };
    this.exchanges.push(exchange);
    try {
      const res = await fetch(binding.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(binding.timeoutMs ?? 5000),
      });
      exchange.status = res.status;
      const text = await res.text();
      exchange.response = text;
      return res.status === 200 ? text : undefined;
    } catch (err) {
      exchange.error = err instanceof Error ? err.message : String(err);
      return undefined;
    }
  }
}
