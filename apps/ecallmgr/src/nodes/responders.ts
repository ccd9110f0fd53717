import amqp, { type Channel, type ChannelModel } from 'amqplib';
import type { Logger } from 'pino';

/** Every ecallmgr consumes this queue; nothing is ever routed to it: its consumer count is the head count. */
export const RESPONDERS_QUEUE = 'fife.ecallmgr.channel_query_responders';

/**
 * How many ecallmgr processes answer channel queries, counted by the broker: each process holds one consumer
 * on a shared queue (on its own connection, so the consumer dies with the process), and reads the queue's
 * consumer count every `refreshMs`. `count` is undefined until the first reading and while the broker is
 * unreachable; callers then leave the count out and collectors fall back to their deadline.
 */
export class ResponderCount {
  count: number | undefined;
  private connection?: ChannelModel;
  private channel?: Channel;
  private timer?: NodeJS.Timeout;
  private joining?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly refreshMs = 1000,
  ) {}

  async start(): Promise<void> {
    await this.join();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.count = undefined;
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
  }

  private join(): Promise<void> {
    this.joining ??= this.connect().finally(() => (this.joining = undefined));
    return this.joining;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const conn = await amqp.connect(this.url, { clientProperties: { connection_name: 'ecallmgr-channel-query-census' } });
      conn.on('error', () => undefined);
      conn.on('close', () => {
        if (this.connection !== conn) return;
        this.connection = undefined;
        this.channel = undefined;
        this.count = undefined;
      });
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      await ch.assertQueue(RESPONDERS_QUEUE, { durable: false, autoDelete: true });
      await ch.consume(RESPONDERS_QUEUE, () => undefined, { noAck: true });
      if (this.stopped) return void (await conn.close().catch(() => undefined));
      this.connection = conn;
      this.channel = ch;
      await this.refresh();
    } catch (err) {
      this.log.warn({ err }, 'channel-query census: broker unreachable, answers carry no Fife-Responders');
    }
  }

  private async refresh(): Promise<void> {
    if (this.stopped) return;
    if (!this.channel) return this.join();
    try {
      this.count = (await this.channel.checkQueue(RESPONDERS_QUEUE)).consumerCount;
    } catch {
      this.count = undefined;
    }
  }
}
