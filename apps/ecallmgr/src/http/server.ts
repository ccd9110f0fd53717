import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { parseForm } from '../domain/fields.js';
import { notFoundDocument } from '../domain/xml.js';

export interface FetchAnswer {
  xml: string;
  /** For metrics and logs: found, not-found, timeout, park, bridge, error, ignored, ... */
  outcome: string;
}

export type FetchHandler = (params: Record<string, string>, log: Logger) => Promise<FetchAnswer>;

export interface XmlCurlServerOptions {
  host: string;
  port: number;
  credentials?: { user: string; password: string };
  handle: FetchHandler;
  log: Logger;
  /** Called once per answered fetch. */
  observe?: (section: string, outcome: string, seconds: number) => void;
  /** Largest accepted body; a dialplan fetch with every channel variable is ~10 KB. */
  maxBodyBytes?: number;
}

export interface XmlCurlServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function authorized(req: IncomingMessage, credentials: XmlCurlServerOptions['credentials']): boolean {
  if (!credentials) return true;
  const header = req.headers.authorization ?? '';
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both compared, always: no early exit that would tell which half was wrong.
  const userOk = sameSecret(decoded.slice(0, colon), credentials.user);
  const passOk = sameSecret(decoded.slice(colon + 1), credentials.password);
  return userOk && passOk;
}

class BodyTooLarge extends Error {}

/**
 * The body as text, or BodyTooLarge once past `limit`. An oversized body is still read to its end (and
 * dropped), so the client gets its 413 instead of a connection reset; server.requestTimeout bounds it.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => (size > limit ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers }).end(body);
}

/**
 * The HTTP side of mod_xml_curl: POST (form body) or GET (query string), optional basic auth. Every
 * request gets an XML document; whatever goes wrong becomes the "not found" document, never a hang.
 */
export async function startXmlCurlServer(opts: XmlCurlServerOptions): Promise<XmlCurlServer> {
  const limit = opts.maxBodyBytes ?? 1_048_576;
  const server = createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    let section = 'unknown';
    let outcome = 'error';
    try {
      if (!authorized(req, opts.credentials)) {
        outcome = 'unauthorized';
        return send(res, 401, 'unauthorized\n', { 'www-authenticate': 'Basic realm="fife-ecallmgr"', 'content-type': 'text/plain' });
      }
      if (req.method !== 'POST' && req.method !== 'GET') {
        outcome = 'bad-method';
        return send(res, 405, 'method not allowed\n', { allow: 'GET, POST', 'content-type': 'text/plain' });
      }
      const query = (req.url ?? '').split('?')[1] ?? '';
      const body = req.method === 'POST' ? await readBody(req, limit) : query;
      const params = parseForm(body);
      section = params.section ?? 'unknown';
      const answer = await opts.handle(params, opts.log);
      outcome = answer.outcome;
      send(res, 200, answer.xml);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        outcome = 'too-large';
        return send(res, 413, 'request too large\n', { 'content-type': 'text/plain', connection: 'close' });
      }
      opts.log.error({ err, section }, 'xml_curl: fetch failed, answering not found');
      if (!res.headersSent) send(res, 200, notFoundDocument('Fetch failed'));
    } finally {
      opts.observe?.(section, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    }
  });
  // FreeSWITCH keeps connections alive between fetches; never let one idle forever.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host, resolve));
  const addr = server.address() as AddressInfo;
  return {
    server,
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
