import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type ChannelModel, type ConfirmChannel, type Options, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { nanoid } from 'nanoid';
import { FifeError, type MessageDef, type MessageOf, type SenderIdentity } from '@fife/api';
import { encodeBody } from './codec.js';
import type { BusObserver } from './observer.js';
import { declareTopology } from './topology.js';
import { Consumer, type ConsumeSpec } from './consumer.js';
import { ReplyRouter, type CollectOptions, type RequestFields, type RequestOptions } from './reply-router.js';

export interface BusOptions {
  url: string;
  /** App-Name / App-Version / Node stamped on everything this process publishes. */
  identity: Omit<SenderIdentity, 'serverId'>;
  logger: Logger;
  observer?: BusObserver;
  /** Reconnect backoff; after maxRetries failed attempts the bus emits 'fatal'. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; maxRetries?: number };
  heartbeatSeconds?: number;
  /** How long a publish waits for the broker to come back before failing. */
  publishWaitMs?: number;
}

export interface PublishOptions {
  routingKey?: string;
  exchange?: string;
  persistent?: boolean;
  /** Per-message TTL: a request nobody took in time is dropped by the broker, not replayed later. */
  expirationMs?: number;
  mandatory?: boolean;
  headers?: Record<string, unknown>;
  /** Bytes to publish as they are (dead-lettering keeps the original body byte for byte). */
  rawContent?: Buffer;
}

/**
 * One AMQP connection per process, recovered automatically. Topology, the reply queue and every
 * consumer are re-attached after each reconnect; publishes wait (bounded) for the broker to return.
 */
export class Bus extends EventEmitter {
  readonly serverId: string;
  readonly identity: SenderIdentity;
  readonly log: Logger;
  readonly observer: BusObserver;
  private model?: RecoveringChannelModel;
  private connection?: ChannelModel;
  private publisher?: ConfirmChannel;
  private readonly consumers = new Set<Consumer>();
  private readonly replies: ReplyRouter;
  private closing = false;

  constructor(private readonly options: BusOptions) {
    super();
    const { appName, node } = options.identity;
    // Per-process reply queue name = Server-ID: replies come back on `targeted` with this key.
    this.serverId = `${appName}@${node.replace(/@.*/, '')}-${process.pid}-${nanoid(8)}`;
    this.identity = { ...options.identity, serverId: this.serverId };
    this.log = options.logger;
    this.observer = options.observer ?? {};
    this.replies = new ReplyRouter(this);
  }

  get isUp(): boolean {
    return this.connection !== undefined;
  }

  async start(): Promise<void> {
    const r = this.options.reconnect ?? {};
    const socketOptions = {
      noDelay: true, // without it every request/response waits on delayed ACKs (~40 ms)
      heartbeat: this.options.heartbeatSeconds ?? 10,
      clientProperties: { connection_name: this.serverId },
      recovery: {
        initialDelay: r.initialDelayMs ?? 500,
        maxDelay: r.maxDelayMs ?? 5000,
        factor: 2,
        jitter: 0.2,
        maxRetries: r.maxRetries ?? 60,
        initialMaxRetries: r.maxRetries ?? 60,
        setup: (model: ChannelModel) => this.attach(model),
      },
    };
    this.model = await amqp.connect(this.options.url, socketOptions);
    this.model.on('disconnect', (err: Error) => this.detach(err));
    this.model.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) =>
      this.log.warn({ attempt, delayMs: delay }, 'bus: reconnect scheduled'),
    );
    this.model.on('reconnect-failed', (err: Error) => {
      const error = new FifeError('bus.unrecoverable', `broker unreachable, giving up: ${err.message}`);
      this.log.error({ err: error }, 'bus: cannot recover the broker connection');
      this.emit('fatal', error);
    });
    this.model.on('error', (err: Error) => this.log.warn({ err }, 'bus: connection error'));
  }

  /** Runs after every (re)connect: everything the broker forgot is declared again. */
  private async attach(connection: ChannelModel): Promise<void> {
    connection.on('error', () => undefined);
    const setup = await connection.createChannel();
    await declareTopology(setup);
    await setup.close();
    this.publisher = await this.openPublisher(connection);
    await this.replies.attach(connection);
    for (const consumer of this.consumers) await consumer.attach(connection);
    this.connection = connection;
    this.log.info({ serverId: this.serverId, consumers: this.consumers.size }, 'bus: connected');
    this.observer.connection?.('up');
    this.emit('up');
  }

  private detach(err: Error | undefined): void {
    if (!this.connection) return;
    this.connection = undefined;
    this.publisher = undefined;
    this.observer.connection?.('down');
    if (!this.closing) this.log.warn({ reason: err?.message }, 'bus: connection lost, recovering');
    this.emit('down', err);
  }

  private async openPublisher(connection: ChannelModel): Promise<ConfirmChannel> {
    const ch = await connection.createConfirmChannel();
    ch.on('error', (err: Error) => this.log.warn({ err }, 'bus: publish channel error'));
    ch.on('close', () => {
      if (this.publisher === ch) this.publisher = undefined;
    });
    return ch;
  }

  private async publishChannel(): Promise<ConfirmChannel> {
    if (this.publisher) return this.publisher;
    if (this.connection) {
      this.publisher = await this.openPublisher(this.connection);
      return this.publisher;
    }
    const waitMs = this.options.publishWaitMs ?? 10_000;
    await this.waitUntilUp(waitMs);
    return this.publishChannel();
  }

  async waitUntilUp(timeoutMs: number): Promise<void> {
    if (this.isUp) return;
    if (this.closing) throw new FifeError('bus.closed', 'bus is closed');
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      await once(this, 'up', { signal: ac.signal });
    } catch {
      throw new FifeError('bus.unavailable', `broker not reachable within ${timeoutMs} ms`, { timeoutMs });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Publishes a JSON body and resolves once the broker confirmed it (publisher confirms). */
  async publishRaw(exchange: string, routingKey: string, body: unknown, opts: PublishOptions = {}): Promise<void> {
    const content = opts.rawContent ?? encodeBody(body);
    const props: Options.Publish = {
      contentType: 'application/json',
      timestamp: Math.floor(Date.now() / 1000),
      persistent: opts.persistent ?? false,
      mandatory: opts.mandatory ?? false,
      ...(opts.expirationMs !== undefined ? { expiration: String(Math.max(1, Math.round(opts.expirationMs))) } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
      messageId: nanoid(),
    };
    for (let attempt = 0; ; attempt++) {
      const ch = await this.publishChannel();
      try {
        await this.confirmed(ch, exchange, routingKey, content, props);
        return;
      } catch (err) {
        if (err instanceof FifeError || attempt >= 2) throw asPublishError(err, exchange, routingKey);
        await sleep(50 * (attempt + 1)); // channel died under us: retry on the recovered one
      }
    }
  }

  private confirmed(ch: ConfirmChannel, exchange: string, key: string, content: Buffer, props: Options.Publish): Promise<void> {
    return new Promise((resolve, reject) => {
      let returned = false;
      const onReturn = (msg: { properties: { messageId?: string } }) => {
        if (msg.properties.messageId === props.messageId) returned = true;
      };
      if (props.mandatory) ch.on('return', onReturn);
      this.corked(() => ch.publish(exchange, key, content, props, (err) => {
        if (props.mandatory) ch.off('return', onReturn);
        if (err) reject(err);
        else if (returned) reject(new FifeError('bus.unroutable', `no queue took the message on ${exchange}/${key}`, { exchange, key }));
        else resolve();
      }));
    });
  }

  /**
   * amqplib's muxer writes each queued message to the socket on its own: one syscall per message
   * with Nagle off. Its write pass is a setImmediate scheduled from a nextTick (the channel stream's
   * 'readable'); uncorking from a later nextTick → setImmediate lets everything queued in this turn
   * leave in one write. If amqplib ever schedules differently, this only loses the batching.
   */
  corked<T>(fn: () => T): T {
    const socket = (this.connection as unknown as { connection?: { stream?: { cork?(): void; uncork(): void } } } | undefined)
      ?.connection?.stream;
    if (typeof socket?.cork !== 'function') return fn();
    socket.cork();
    try {
      return fn();
    } finally {
      process.nextTick(() => setImmediate(() => socket.uncork()));
    }
  }

  /** Publishes a declared message on its exchange with its routing key. */
  async publish<D extends MessageDef<any>>(def: D, msg: MessageOf<D>, opts: PublishOptions = {}): Promise<void> {
    const exchange = opts.exchange ?? def.exchange;
    const routingKey = opts.routingKey ?? def.routingKey(msg);
    await this.publishRaw(exchange, routingKey, msg, opts);
    this.observer.messageOut?.(def.id, exchange);
  }

  /** Registers a consumer; it is attached now if connected and again after every reconnect. */
  async consume(spec: ConsumeSpec): Promise<Consumer> {
    const consumer = new Consumer(this, spec);
    this.consumers.add(consumer);
    if (this.connection) await consumer.attach(this.connection);
    return consumer;
  }

  /** Request/response over `targeted`: first valid reply wins, typed timeout error otherwise. */
  request<D extends MessageDef<any>>(def: D, fields: RequestFields<D>, opts: RequestOptions): Promise<Record<string, unknown>> {
    return this.replies.request(def, fields, opts);
  }

  /** Collect mode: every valid reply until the deadline or `count`. */
  collect<D extends MessageDef<any>>(def: D, fields: RequestFields<D>, opts: CollectOptions): Promise<Record<string, unknown>[]> {
    return this.replies.collect(def, fields, opts);
  }

  get replyRouter(): ReplyRouter {
    return this.replies;
  }

  /** Stops taking new work, lets in-flight handlers finish (bounded), then closes. */
  async drain(timeoutMs = 10_000): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.cancel()));
    const deadline = Date.now() + timeoutMs;
    for (const c of this.consumers) await c.idle(Math.max(0, deadline - Date.now()));
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.replies.failAll(new FifeError('bus.closed', 'bus closed while waiting for a reply'));
    try {
      await this.model?.close();
    } catch {
      // already gone
    }
    this.connection = undefined;
    this.publisher = undefined;
  }
}

function asPublishError(err: unknown, exchange: string, routingKey: string): FifeError {
  if (err instanceof FifeError) return err;
  return new FifeError('bus.publish_failed', `publish to ${exchange}/${routingKey} failed: ${(err as Error)?.message ?? err}`, {
    exchange,
    routingKey,
  });
}
