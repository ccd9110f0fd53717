import type { Clock } from './clock.js';
import type { FsEvent } from './event.js';
import { fsUrlEncode } from './url-encode.js';
import { findSection, parseXml, type XmlNode } from './xml-tree.js';

/** mod_xml_curl binding: where to POST, with what credentials, how long to wait. */
export interface XmlCurlBinding {
  url: string;
  /**
   * Further gateway URLs, tried in order when the previous one gives no answer holding the section (error,
   * timeout, non-200, unparsable, or not found): FreeSWITCH walks its xml_curl bindings the same way.
   */
  fallbackUrls?: string[];
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
  /** The binding's URL this POST went to. */
  url: string;
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
    let outcome: 'not-found' | undefined;
    for (const url of [this.binding.url, ...(this.binding.fallbackUrls ?? [])]) {
      const answer = await this.fetchFrom(url, body, key.section);
      if (answer !== undefined && answer !== 'not-found') return answer;
      outcome ??= answer;
    }
    return outcome;
  }

  private async fetchFrom(url: string, body: string, section: string): Promise<XmlNode | 'not-found' | undefined> {
    const text = await this.clock.track(this.post(url, body, section));
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
    return findSection(roots, section);
  }

  private async post(url: string, body: string, section: string): Promise<string | undefined> {
    const binding = this.binding!;
    const headers: Record<string, string> = {
      'User-Agent': 'freeswitch-xml/1.0',
      Accept: '*/*',
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    if (binding.credentials) headers['Authorization'] = `Basic ${Buffer.from(binding.credentials).toString('base64')}`;
    const exchange: XmlCurlExchange = { url, section, body, status: undefined, response: undefined, error: undefined };
    this.exchanges.push(exchange);
    try {
      const res = await fetch(url, {
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
