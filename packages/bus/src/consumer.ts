import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { FifeError, findMessage, validate, type MessageDef, type MessageInput, type MessageOf } from '@fife/api';
import type { Bus } from './bus.js';
import { decodeBody } from './codec.js';
import { DEAD_LETTER_EXCHANGE } from './topology.js';

export interface HandlerContext {
  log: Logger;
  routingKey: string;
  exchange: string;
  /** 1 for the first delivery; retries after transient failures count up. */
  attempt: number;
  bus: Bus;
  /** Replies on `targeted` to the request's Server-ID with its Msg-ID (Kazoo's request/response rule). */
  reply<R extends MessageDef<any>>(def: R, fields: ReplyFields<R>, opts?: { defer?: boolean }): Promise<void>;
}

export type ReplyFields<R extends MessageDef<any>> = Omit<
  MessageInput<R>,
  'Event-Category' | 'Event-Name' | 'App-Name' | 'App-Version' | 'Msg-ID'
>;

export interface Handler<D extends MessageDef<any> = MessageDef<any>> {
  def: D;
  handle(msg: MessageOf<D>, ctx: HandlerContext): Promise<void> | void;
}

/** Declares a handler with its message type inferred from the declaration. */
export function handler<D extends MessageDef<any>>(def: D, handle: Handler<D>['handle']): Handler<D> {
  return { def, handle };
}

export interface ConsumeSpec {
  /** Shared durable queue (competing consumers scale a whapp out) unless `exclusive`. */
  queue: string;
  handlers: Handler<any>[];
  /** Defaults to every binding key of every handled message, on its exchange. */
  bindings?: Array<{ exchange: string; key: string }>;
  exclusive?: boolean;
  prefetch?: number;
  /** Retries after a handler throws a retryable error; then the message is dead-lettered. */
  maxAttempts?: number;
  queueArguments?: Record<string, unknown>;
}

const ATTEMPT_HEADER = 'x-fife-attempt';

/** A transient failure (store down, downstream timeout): the message is retried, not dead-lettered. */
export function retryable(err: FifeError): FifeError {
  err.context.retryable = true;
  return err;
}

export class Consumer {
  private channel?: Channel;
  private tag?: string;
  private inFlight = 0;
  private cancelled = false;
  private readonly byId = new Map<string, Handler<any>>();

  constructor(
    private readonly bus: Bus,
    readonly spec: ConsumeSpec,
  ) {
    for (const h of spec.handlers) this.byId.set(h.def.id, h);
  }

  private bindings(): Array<{ exchange: string; key: string }> {
    if (this.spec.bindings) return this.spec.bindings;
    return this.spec.handlers.flatMap((h) => h.def.bindingKeys.map((key: string) => ({ exchange: h.def.exchange, key })));
  }

  async attach(connection: ChannelModel): Promise<void> {
    if (this.cancelled) return;
    const ch = await connection.createChannel();
    ch.on('error', (err: Error) => this.bus.log.warn({ err, queue: this.spec.queue }, 'bus: consumer channel error'));
    ch.on('close', () => this.onChannelClosed(ch, connection));
    const exclusive = this.spec.exclusive ?? false;
    await ch.assertQueue(this.spec.queue, {
      durable: !exclusive,
      exclusive,
      autoDelete: exclusive,
      ...(this.spec.queueArguments ? { arguments: this.spec.queueArguments } : {}),
    });
    for (const b of this.bindings()) await ch.bindQueue(this.spec.queue, b.exchange, b.key);
    await ch.prefetch(this.spec.prefetch ?? 32);
    const { consumerTag } = await ch.consume(this.spec.queue, (m) => {
      if (m) void this.deliver(ch, m);
    });
    this.channel = ch;
    this.tag = consumerTag;
  }

  /** A channel can die alone (e.g. a broker-side error); the consumer comes back on a fresh one. */
  private onChannelClosed(ch: Channel, connection: ChannelModel): void {
    if (this.channel !== ch) return;
    this.channel = undefined;
    if (this.cancelled || !this.bus.isUp) return;
    setTimeout(() => {
      this.attach(connection).catch((err) => this.bus.log.warn({ err, queue: this.spec.queue }, 'bus: re-attach failed'));
    }, 200);
  }

  private async deliver(ch: Channel, m: ConsumeMessage): Promise<void> {
    this.inFlight++;
    try {
      await this.process(ch, m);
    } catch (err) {
      // process() never throws by design; this is the last line that keeps the process alive.
      this.bus.log.error({ err }, 'bus: unexpected consumer failure');
    } finally {
      this.inFlight--;
    }
  }

  private async process(ch: Channel, m: ConsumeMessage): Promise<void> {
    const decoded = decodeBody(m);
    if (!decoded.ok) return this.deadLetter(ch, m, decoded.error, 'unknown');
    const body = decoded.value;
    const def = findMessage(body['Event-Category'], body['Event-Name']);
    const h = def && this.byId.get(def.id);
    if (!h) {
      const err = new FifeError('bus.unexpected_message', `no handler for ${body['Event-Category']}/${body['Event-Name']} on ${this.spec.queue}`);
      return this.deadLetter(ch, m, err, `${body['Event-Category']}/${body['Event-Name']}`);
    }
    const checked = validate(h.def, body);
    if (!checked.ok) return this.deadLetter(ch, m, checked.error, h.def.id);
    this.bus.observer.messageIn?.(h.def.id, this.spec.queue);
    const attempt = Number(m.properties.headers?.[ATTEMPT_HEADER] ?? 1);
    const log = this.bus.log.child({
      msgId: body['Msg-ID'],
      ...(body['Call-ID'] ? { callId: body['Call-ID'] } : {}),
      // Not `msg`: that is pino's message key, and a binding of that name writes the key twice.
      message: h.def.id,
    });
    const started = process.hrtime.bigint();
    try {
      await h.handle(checked.value, this.context(body, m, log, attempt));
      this.observe(h.def.id, started, 'ok');
      this.ack(ch, m);
    } catch (err) {
      this.observe(h.def.id, started, 'error');
      await this.onHandlerError(ch, m, h.def.id, err, attempt, log);
    }
  }

  private context(body: Record<string, unknown>, m: ConsumeMessage, log: Logger, attempt: number): HandlerContext {
    const bus = this.bus;
    return {
      log,
      attempt,
      bus,
      routingKey: m.fields.routingKey,
      exchange: m.fields.exchange,
      reply: (def, fields, opts) => bus.replyRouter.replyTo(body, def, fields, opts),
    };
  }

  private async onHandlerError(ch: Channel, m: ConsumeMessage, id: string, err: unknown, attempt: number, log: Logger): Promise<void> {
    const error = err instanceof FifeError ? err : new FifeError('handler.failed', (err as Error)?.message ?? String(err), {}, { cause: err });
    const maxAttempts = this.spec.maxAttempts ?? 3;
    if (error.context.retryable === true && attempt < maxAttempts) {
      log.warn({ err: error, attempt }, 'handler failed transiently, retrying');
      this.bus.observer.messageFailed?.(id, 'retried');
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      try {
        // Back on the same queue with a counter: RabbitMQ's requeue cannot carry one.
        await this.bus.publishRaw('', this.spec.queue, JSON.parse(m.content.toString('utf8')), {
          headers: { ...(m.properties.headers ?? {}), [ATTEMPT_HEADER]: attempt + 1 },
          persistent: m.properties.deliveryMode === 2,
        });
        this.ack(ch, m);
      } catch {
        this.nack(ch, m); // could not republish: let the broker redeliver it
      }
      return;
    }
    log.error({ err: error, attempt }, 'handler failed');
    await this.deadLetter(ch, m, error, id);
  }

  private async deadLetter(ch: Channel, m: ConsumeMessage, error: FifeError, id: string): Promise<void> {
    this.bus.observer.messageFailed?.(id, error.code.startsWith('handler') ? 'failed' : 'invalid');
    this.bus.log.warn({ queue: this.spec.queue, code: error.code, reason: error.message }, 'bus: message dead-lettered');
    try {
      await this.bus.publishRaw(DEAD_LETTER_EXCHANGE, this.spec.queue, null, {
        persistent: true,
        headers: {
          ...(m.properties.headers ?? {}),
          'x-fife-reason': error.message.slice(0, 4000),
          'x-fife-code': error.code,
          'x-fife-queue': this.spec.queue,
          'x-fife-exchange': m.fields.exchange,
          'x-fife-routing-key': m.fields.routingKey,
        },
        rawContent: m.content,
      });
      this.ack(ch, m);
    } catch (err) {
      this.bus.log.error({ err }, 'bus: dead-letter publish failed, message requeued');
      this.nack(ch, m);
    }
  }

  private observe(id: string, started: bigint, outcome: 'ok' | 'error'): void {
    this.bus.observer.handled?.(id, Number(process.hrtime.bigint() - started) / 1e9, outcome);
  }

  private ack(ch: Channel, m: ConsumeMessage): void {
    if (this.channel === ch) this.bus.corked(() => ch.ack(m)); // a dead channel's deliveries are redelivered anyway
  }

  private nack(ch: Channel, m: ConsumeMessage): void {
    if (this.channel === ch) ch.nack(m, false, true);
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    if (this.channel && this.tag) {
      try {
        await this.channel.cancel(this.tag);
      } catch {
        // channel already gone
      }
    }
  }

  async idle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}
