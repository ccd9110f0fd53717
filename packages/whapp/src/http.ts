import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => boolean | Promise<boolean>;

/** /healthz: the process is alive. /readyz: every dependency is ready. /metrics: Prometheus text. */
export async function startHttp(
  host: string,
  port: number,
  registry: Registry,
  checks: Map<string, ReadinessCheck>,
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"alive"}');
      } else if (path === '/readyz') {
        const results: Record<string, boolean> = {};
        for (const [name, check] of checks) results[name] = await Promise.resolve(check()).catch(() => false);
        const ready = Object.values(results).every(Boolean);
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ready, checks: results }));
      } else if (path === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      } else {
        res.writeHead(404).end();
      }
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const addr = server.address() as AddressInfo;
  return { server, url: `http://${host}:${addr.port}` };
}
