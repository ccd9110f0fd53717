import { createServer, type Server, type Socket } from 'node:net';
import type { FsEvent } from '../event.js';
import { EslConnection } from './connection.js';
import type { LogLine } from './frames.js';
import type { EslHost } from './host.js';

/** mod_event_socket's inbound listener: accepts clients, fans events and log lines out to each of them. */
export class EslServer {
  private server: Server | undefined;
  private readonly connections = new Set<EslConnection>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly host: EslHost) {}

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('ESL server has no TCP address');
    return address.port;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  broadcast(event: FsEvent): void {
    for (const conn of this.connections) conn.deliver(event);
  }

  broadcastLog(line: LogLine): void {
    for (const conn of this.connections) conn.deliverLog(line);
  }

  sessionGone(uuid: string): void {
    for (const conn of this.connections) conn.sessionGone(uuid);
  }

  /** Sends every client a disconnect notice and drops it, as a FreeSWITCH shutdown does. */
  kickAll(): void {
    for (const conn of [...this.connections]) conn.kick();
  }

  async close(): Promise<void> {
    this.kickAll();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Give the notices a moment to flush before tearing down what is left.
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    const conn = new EslConnection(socket, this.host, (c) => this.connections.delete(c));
    this.connections.add(conn);
  }
}
