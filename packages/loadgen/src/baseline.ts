import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { nanoid } from 'nanoid';
import { FifeError } from '@fife/api';
import { pacedToEnd } from './pace.js';
import { summarize, type LatencySummary } from './stats.js';

export type BaselineResult = LatencySummary & { sent: number; lost: number; achievedPerS: number };

const EXCHANGE = 'loadgen.baseline';
const responderScript = fileURLToPath(new URL('./baseline-responder.ts', import.meta.url));

function startResponder(url: string, key: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', responderScript, url, EXCHANGE, key], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new FifeError('loadgen.baseline', 'the baseline responder did not start in 30 s', { stderr }))), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => line === 'ready' && (clearTimeout(timer), resolve(child)));
    child.once('exit', (code) => (clearTimeout(timer), reject(new FifeError('loadgen.baseline', `the baseline responder exited (${code})`, { stderr }))));
  });
}

/**
 * The bare AMQP request/response round trip (publish on a topic exchange, a responder in its own process
 * answers on the requester's own queue, no validation, no CouchDB): what every Fife latency is compared with.
 */
export class AmqpBaseline {
  private readonly waiting = new Map<string, (ms: number) => void>();

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
    private readonly responder: ChildProcess,
    private readonly key: string,
    private readonly replyKey: string,
  ) {}

  static async start(url: string): Promise<AmqpBaseline> {
    const key = `baseline.req.${nanoid(8)}`;
    const responder = await startResponder(url, key);
    const connection = await amqp.connect(url, { noDelay: true });
    const channel = await connection.createChannel();
    await channel.assertExchange(EXCHANGE, 'topic', { durable: false, autoDelete: false });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    const replyKey = `baseline.reply.${nanoid(8)}`;
    await channel.bindQueue(queue, EXCHANGE, replyKey);
    const baseline = new AmqpBaseline(connection, channel, responder, key, replyKey);
    await channel.consume(queue, (m) => m && baseline.onReply(m.content), { noAck: true });
    return baseline;
  }

  private onReply(body: Buffer): void {
    const id = String((JSON.parse(body.toString('utf8')) as Record<string, unknown>)['Msg-ID']);
    this.waiting.get(id)?.(0);
  }

  /** One round trip; resolves with its milliseconds, or undefined after `timeoutMs`. */
  roundTrip(timeoutMs = 5000): Promise<number | undefined> {
    const id = nanoid();
    const t0 = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.waiting.delete(id), resolve(undefined)), timeoutMs);
      this.waiting.set(id, () => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(performance.now() - t0);
      });
      const body = { 'Msg-ID': id, 'Server-ID': this.replyKey, 'Event-Category': 'bench', 'Event-Name': 'echo_req', Padding: 'x'.repeat(600) };
      this.channel.publish(EXCHANGE, this.key, Buffer.from(JSON.stringify(body)), { contentType: 'application/json' });
    });
  }

  /** Round trips paced at `ratePerS` for `seconds` (open loop, like the load steps). */
  async measure(ratePerS: number, seconds: number): Promise<BaselineResult> {
    const times: number[] = [];
    const { pace } = await pacedToEnd(ratePerS, seconds, async () => {
      const ms = await this.roundTrip();
      if (ms !== undefined) times.push(ms);
    });
    return { ...summarize(times), sent: pace.started, lost: pace.started - times.length, achievedPerS: pace.achievedPerS };
  }

  async stop(): Promise<void> {
    await this.connection.close().catch(() => undefined);
    if (this.responder.exitCode === null) {
      const gone = new Promise((r) => this.responder.once('exit', r));
      this.responder.kill('SIGTERM');
      await gone;
    }
  }
}
