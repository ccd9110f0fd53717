import { EventEmitter } from 'node:events';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import type { Logger } from 'pino';

export type LeaseEvents = { acquired: [node: string]; lost: [node: string] };

/** Queue whose exclusive owner publishes the node's events. */
export function leaseQueue(node: string): string {
  return `fife.ecallmgr.lease.${node}`;
}

/**
 * Active/standby per FreeSWITCH node, held by the broker: the lease of a node is an exclusive queue, which
 * RabbitMQ lets exactly one connection own and deletes when that connection dies (socket closed or
 * heartbeat missed). Every ecallmgr that lists the node keeps its ESL connection up; only the holder
 * publishes the node's events. A holder whose ESL connection to the node drops gives the lease back,
 * so a standby that still sees the node takes over.
 */
export class NodeLeases extends EventEmitter<LeaseEvents> {
  private connection?: ChannelModel;
  private connecting?: Promise<ChannelModel | undefined>;
  private readonly held = new Map<string, Channel>();
  /** Nodes we want to hold (their ESL is up); retried until acquired or no longer wanted. */
  private readonly wanted = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly retryMs = 1000,
  ) {
    super();
  }

  holds(node: string): boolean {
    return this.held.has(node);
  }

  /** Try to hold the node's lease now and keep trying while it is wanted. */
  want(node: string): void {
    this.wanted.add(node);
    void this.attempt(node);
  }

  /** Give the lease back (our ESL to the node is down): a standby may take it. */
  async release(node: string): Promise<void> {
    this.wanted.delete(node);
    clearTimeout(this.timers.get(node));
    const ch = this.held.get(node);
    if (!ch) return;
    this.held.delete(node);
    this.emit('lost', node);
    try {
      await ch.deleteQueue(leaseQueue(node));
      await ch.close();
    } catch {
      // connection already gone: the broker dropped the queue with it
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    for (const node of [...this.held.keys()]) await this.release(node);
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
  }

  private async connect(): Promise<ChannelModel | undefined> {
    if (this.connection) return this.connection;
    this.connecting ??= (async () => {
      try {
        // A short heartbeat: a holder that hangs loses its lease within ~10 s, so a standby can take over.
        const url = new URL(this.url);
        url.searchParams.set('heartbeat', '5');
        const conn = await amqp.connect(url.toString(), { clientProperties: { connection_name: 'ecallmgr-node-leases' } });
        conn.on('error', () => undefined);
        conn.on('close', () => this.onConnectionLost(conn));
        this.connection = conn;
        return conn;
      } catch (err) {
        this.log.warn({ err }, 'node leases: broker unreachable');
        return undefined;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private onConnectionLost(conn: ChannelModel): void {
    if (this.connection !== conn) return;
    this.connection = undefined;
    for (const node of [...this.held.keys()]) {
      this.held.delete(node);
      this.emit('lost', node);
    }
    if (!this.stopped) for (const node of this.wanted) this.retryLater(node);
  }

  private retryLater(node: string): void {
    clearTimeout(this.timers.get(node));
    this.timers.set(
      node,
      setTimeout(() => void this.attempt(node), this.retryMs),
    );
  }

  private async attempt(node: string): Promise<void> {
    if (this.stopped || !this.wanted.has(node) || this.held.has(node)) return;
    const conn = await this.connect();
    if (!conn) return this.retryLater(node);
    let ch: Channel | undefined;
    try {
      ch = await conn.createChannel();
      ch.on('error', () => undefined);
      await ch.assertQueue(leaseQueue(node), { exclusive: true, durable: false, autoDelete: true });
    } catch {
      // RESOURCE_LOCKED: another ecallmgr holds it (the channel is closed by the broker)
      return this.retryLater(node);
    }
    if (!this.wanted.has(node) || this.stopped) {
      await ch.deleteQueue(leaseQueue(node)).catch(() => undefined);
      return;
    }
    this.held.set(node, ch);
    this.log.info({ fsNode: node }, 'node lease acquired: publishing this node’s events');
    this.emit('acquired', node);
  }
}
