import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface XmlCurlRequest {
  headers: IncomingMessage['headers'];
  body: string;
  params: URLSearchParams;
}

/** A tiny mod_xml_curl responder for tests: records every POST and answers with the handler's XML. */
export class TestXmlCurlServer {
  readonly requests: XmlCurlRequest[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly handler: (params: URLSearchParams, request: XmlCurlRequest) => string | { status: number; body: string }) {}

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const request = { headers: req.headers, body, params: new URLSearchParams(body) };
        this.requests.push(request);
        const answer = this.handler(request.params, request);
        const { status, body: xml } = typeof answer === 'string' ? { status: 200, body: answer } : answer;
        res.writeHead(status, { 'Content-Type': 'text/xml' });
        res.end(xml);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}/fetch`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export const NOT_FOUND = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<document type="freeswitch/xml">
  <section name="result">
    <result status="not found"/>
  </section>
</document>`;

export interface TestUser {
  id: string;
  password?: string;
  a1Hash?: string;
  variables?: Record<string, string>;
}

export function directoryXml(domain: string, user: TestUser, dialString?: string): string {
  const secret = user.a1Hash !== undefined
    ? `<param name="a1-hash" value="${user.a1Hash}"/>`
    : `<param name="password" value="${user.password ?? ''}"/>`;
  const vars = Object.entries({ user_context: 'default', ...user.variables })
    .map(([k, v]) => `<variable name="${k}" value="${v}"/>`)
    .join('');
  const domainParams = dialString ? `<params><param name="dial-string" value="${dialString}"/></params>` : '';
  return `<document type="freeswitch/xml"><section name="directory"><domain name="${domain}">${domainParams}<users><user id="${user.id}"><params>${secret}</params><variables>${vars}</variables></user></users></domain></section></document>`;
}

export function dialplanXml(context: string, extensions: Array<{ name: string; expression: string; actions: Array<[string, string]> }>): string {
  const exts = extensions
    .map(
      (e) =>
        `<extension name="${e.name}"><condition field="destination_number" expression="${e.expression}">` +
        e.actions.map(([app, data]) => `<action application="${app}" data="${data.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"/>`).join('') +
        '</condition></extension>',
    )
    .join('');
  return `<document type="freeswitch/xml"><section name="dialplan"><context name="${context}">${exts}</context></section></document>`;
}
