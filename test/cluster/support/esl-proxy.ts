import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between one ecallmgr process and one simulated FreeSWITCH node's ESL port, so a test can
 * cut exactly that connection (the node and the other ecallmgr's connection stay up) and keep it cut
 * for a while, as a network partition or a node-side drop would.
 */
export class EslProxy {
  private server?: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private refusing = false;
  /** Connections accepted and relayed since start (reconnects included). */
  accepted = 0;

  private constructor(
    private readonly targetPort: number,
    readonly label: string,
  ) {}

  static async start(targetPort: number, label: string): Promise<EslProxy> {
    const proxy = new EslProxy(targetPort, label);
    const server = createServer((client) => proxy.relay(client));
    proxy.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : 0;
  }

  get open(): number {
    return this.pairs.size;
  }

  /** Destroys the relayed connections and refuses new ones for `forMs`, then accepts again. */
  async drop(forMs: number): Promise<number> {
    this.refusing = true;
    const dropped = this.pairs.size;
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
    await new Promise((resolve) => setTimeout(resolve, forMs));
    this.refusing = false;
    return dropped;
  }

  async close(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = createConnection(this.targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair) {
      s.setNoDelay(true);
      s.on('error', end);
      s.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
