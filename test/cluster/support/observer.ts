import amqp, { type ChannelModel } from 'amqplib';
import { exchangeOptions, exchanges } from '@fife/api';

type Body = Record<string, unknown>;

/** What an integrator would see: every call event and reg_success published on the bus, as received. */
export class BusObserver {
  readonly callEvents: Body[] = [];
  readonly regSuccess: Body[] = [];
  reconnects = 0;
  /** Called with every reg_success body as it arrives. */
  onRegSuccess: (body: Body) => void = () => undefined;
  private conn?: ChannelModel;
  private stopped = false;

  private constructor(private readonly url: string) {}

  static async start(url: string): Promise<BusObserver> {
    const observer = new BusObserver(url);
    await observer.connect();
    return observer;
  }

  /** Occurrences of each key (e.g. `callId|EVENT`) among call events, for events matching `filter`. */
  callEventCounts(filter: (e: Body) => boolean = () => true): Map<string, number> {
    const counts = new Map<string, number>();
    for (const e of this.callEvents.filter(filter)) {
      const key = `${String(e['Call-ID'])}|${String(e['Event-Name'])}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.conn?.close().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const conn = await amqp.connect(this.url);
    conn.on('error', () => undefined);
    conn.on('close', () => void this.reconnect());
    const ch = await conn.createChannel();
    for (const name of ['callevt', 'registrar'] as const) await ch.assertExchange(name, exchanges[name].type, exchangeOptions);
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, 'callevt', 'call.*.*');
    await ch.bindQueue(queue, 'registrar', 'registration.success.*.*');
    await ch.consume(
      queue,
      (msg) => {
        if (!msg) return;
        const body = JSON.parse(msg.content.toString()) as Body;
        if (msg.fields.exchange === 'callevt') this.callEvents.push(body);
        else {
          this.regSuccess.push(body);
          this.onRegSuccess(body);
        }
      },
      { noAck: true },
    );
    this.conn = conn;
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    this.reconnects++;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (this.stopped) return;
      try {
        await this.connect();
        return;
      } catch {
        // broker still down
      }
    }
  }
}
