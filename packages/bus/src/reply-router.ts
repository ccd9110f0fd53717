import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import {
  FifeError,
  build,
  findMessage,
  validate,
  type MessageDef,
  type MessageInput,
  type MessageOf,
} from '@fife/api';
import type { Bus } from './bus.js';
import { decodeBody } from './codec.js';
import type { ReplyFields } from './consumer.js';

export type RequestFields<D extends MessageDef<any>> = Omit<
  MessageInput<D>,
  'Event-Category' | 'Event-Name' | 'App-Name' | 'App-Version' | 'Msg-ID'
> & { 'Msg-ID'?: string };

export interface RequestOptions {
  /** Mandatory deadline; also the message TTL, so nobody answers a request its sender gave up on. */
  timeoutMs: number;
  /** Replies that count (by declaration); anything else with the right Msg-ID is a bad reply. */
  replies: MessageDef<any>[];
  routingKey?: string;
  mandatory?: boolean;
  /** Replies that report progress without ending the request (originate_uuid before originate_resp). */
  interim?: MessageDef<any>[];
  onInterim?(reply: Record<string, unknown>): void;
}

export interface CollectOptions extends RequestOptions {
  /** Resolve early once this many replies arrived. */
  count?: number;
  /** Resolve early once this says the replies so far are all there will be (e.g. every responder answered). */
  until?(replies: readonly Record<string, unknown>[]): boolean;
}

interface Pending {
  onReply(reply: Record<string, unknown>, def: MessageDef<any> | undefined): void;
  fail(err: FifeError): void;
}

/**
 * The per-process reply queue (named after the Server-ID, bound to `targeted` with that key) and
 * the table of requests waiting on it, keyed by Msg-ID. Replies for unknown Msg-IDs are stale: dropped.
 */
export class ReplyRouter {
  private readonly pending = new Map<string, Pending>();
  private channel?: Channel;

  constructor(private readonly bus: Bus) {}

  async attach(connection: ChannelModel): Promise<void> {
    const ch = await connection.createChannel();
    ch.on('error', () => undefined);
    const queue = this.bus.serverId;
    await ch.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
    await ch.bindQueue(queue, 'targeted', queue);
    await ch.consume(queue, (m) => m && this.dispatch(m), { noAck: true });
    this.channel = ch;
  }

  private dispatch(m: ConsumeMessage): void {
    const decoded = decodeBody(m);
    if (!decoded.ok) return;
    const body = decoded.value;
    const waiting = this.pending.get(String(body['Msg-ID']));
    if (!waiting) return;
    waiting.onReply(body, findMessage(body['Event-Category'], body['Event-Name']));
  }

  /** First valid reply wins; a reply flagged Defer-Response is used only if nothing better came. */
  async request<D extends MessageDef<any>>(def: D, fields: RequestFields<D>, opts: RequestOptions): Promise<Record<string, unknown>> {
    const msg = build(def, fields as never, this.bus.identity) as MessageOf<D>;
    const msgId = String(msg['Msg-ID']);
    return new Promise((resolve, reject) => {
      let deferred: Record<string, unknown> | undefined;
      const finish = (err: FifeError | undefined, value?: Record<string, unknown>) => {
        clearTimeout(timer);
        this.pending.delete(msgId);
        if (err) reject(err);
        else resolve(value!);
      };
      // setImmediate: a reply that reached the socket while the event loop was blocked is read
      // (poll phase) before the deadline is declared missed (check phase).
      const timer = setTimeout(() => setImmediate(() => {
        if (!this.pending.has(msgId)) return;
        if (deferred) return finish(undefined, deferred);
        this.bus.observer.messageFailed?.(def.id, 'timeout');
        finish(new FifeError('bus.timeout', `no reply to ${def.id} within ${opts.timeoutMs} ms`, { message: def.id, msgId, timeoutMs: opts.timeoutMs }));
      }), opts.timeoutMs);
      this.pending.set(msgId, {
        fail: (err) => finish(err),
        onReply: (reply, replyDef) => {
          if (replyDef && opts.interim?.some((d) => d.id === replyDef.id)) {
            const interim = validate(replyDef, reply);
            if (interim.ok) opts.onInterim?.(interim.value as Record<string, unknown>);
            return;
          }
          const checked = checkReply(reply, replyDef, opts.replies);
          const isDeferred = reply['Defer-Response'] === true || reply['Defer-Response'] === 'true';
          if (isDeferred) {
            if (checked.ok) deferred ??= checked.value;
            return;
          }
          if (!checked.ok) return finish(checked.error);
          finish(undefined, checked.value);
        },
      });
      this.bus
        .publish(def, msg, { expirationMs: opts.timeoutMs, routingKey: opts.routingKey, mandatory: opts.mandatory })
        .catch((err) => finish(err instanceof FifeError ? err : new FifeError('bus.publish_failed', String(err))));
    });
  }

  /** Gathers every valid reply until the deadline (or `count` replies); never fails on silence. */
  async collect<D extends MessageDef<any>>(def: D, fields: RequestFields<D>, opts: CollectOptions): Promise<Record<string, unknown>[]> {
    const msg = build(def, fields as never, this.bus.identity) as MessageOf<D>;
    const msgId = String(msg['Msg-ID']);
    const got: Record<string, unknown>[] = [];
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.pending.delete(msgId);
        resolve(got);
      };
      const timer = setTimeout(() => setImmediate(finish), opts.timeoutMs);
      this.pending.set(msgId, {
        fail: () => finish(),
        onReply: (reply, replyDef) => {
          const checked = checkReply(reply, replyDef, opts.replies);
          if (!checked.ok) return;
          got.push(checked.value);
          if ((opts.count !== undefined && got.length >= opts.count) || opts.until?.(got)) finish();
        },
      });
      this.bus.publish(def, msg, { expirationMs: opts.timeoutMs, routingKey: opts.routingKey }).catch((err) => {
        clearTimeout(timer);
        this.pending.delete(msgId);
        reject(err instanceof FifeError ? err : new FifeError('bus.publish_failed', String(err)));
      });
    });
  }

  /** Sends a reply to a request: `targeted`, routing key = its Server-ID verbatim, Msg-ID copied. */
  async replyTo<R extends MessageDef<any>>(
    request: Record<string, unknown>,
    def: R,
    fields: ReplyFields<R>,
    opts: { defer?: boolean } = {},
  ): Promise<void> {
    const target = replyKey(request['Server-ID']);
    if (!target) {
      throw new FifeError('bus.no_server_id', `cannot reply with ${def.id}: the request has no Server-ID`, { msgId: request['Msg-ID'] });
    }
    const { serverId: _ours, ...identity } = this.bus.identity;
    const msg = build(
      def,
      { ...(fields as object), 'Msg-ID': String(request['Msg-ID']), ...(opts.defer ? { 'Defer-Response': true } : {}) } as never,
      identity,
    );
    await this.bus.publish(def, msg, { exchange: 'targeted', routingKey: target });
  }

  failAll(err: FifeError): void {
    for (const p of [...this.pending.values()]) p.fail(err);
  }
}

/** Kazoo may address replies as `pid://<erlang-pid>/<queue>`; a non-Kazoo replier strips the prefix. */
export function replyKey(serverId: unknown): string | undefined {
  if (typeof serverId !== 'string' || serverId === '') return undefined;
  const m = /^pid:\/\/[^/]*\/(.+)$/.exec(serverId);
  return m ? m[1] : serverId;
}

function checkReply(
  reply: Record<string, unknown>,
  def: MessageDef<any> | undefined,
  expected: MessageDef<any>[],
): { ok: true; value: Record<string, unknown> } | { ok: false; error: FifeError } {
  if (!def || !expected.some((e) => e.id === def.id)) {
    return {
      ok: false,
      error: new FifeError('bus.bad_reply', `unexpected reply ${reply['Event-Category']}/${reply['Event-Name']}`, {
        expected: expected.map((e) => e.id),
        reply,
      }),
    };
  }
  const checked = validate(def, reply);
  if (!checked.ok) return { ok: false, error: new FifeError('bus.bad_reply', checked.error.message, checked.error.context) };
  return { ok: true, value: checked.value as Record<string, unknown> };
}
