import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { repoRoot } from '@fife/testkit';

const run = promisify(execFile);
const script = join(repoRoot, 'scripts', 'rabbitmq.sh');

/**
 * A RabbitMQ node of the cluster test's own (scripts/rabbitmq.sh with its own FIFE_RABBITMQ_DIR), never the
 * node other test files share: restarting it must not cut anyone else's connections. Every rabbitmqctl call
 * goes through the script with that folder, and `restart` first checks that the node it addresses is the one
 * behind `url` (same port), so a stray AMQP_URL or a reused folder can never make it restart something else.
 */
export class TestBroker {
  private constructor(
    readonly url: string,
    private readonly dir: string,
  ) {}

  static async start(dir = join(repoRoot, '.fife', 'cluster-test-rabbitmq')): Promise<TestBroker> {
    const env: NodeJS.ProcessEnv = { ...process.env, FIFE_RABBITMQ_DIR: dir };
    delete env.AMQP_URL; // otherwise the script would hand back the shared node
    const { stdout } = await run('bash', [script, 'start'], { env, timeout: 180_000 });
    const line = stdout.split('\n').find((l) => l.startsWith('AMQP_URL='));
    if (!line) throw new Error(`scripts/rabbitmq.sh printed no AMQP_URL: ${stdout}`);
    return new TestBroker(line.slice('AMQP_URL='.length), dir);
  }

  async ctl(...args: string[]): Promise<string> {
    const { stdout } = await run('bash', [script, 'ctl', '-q', ...args], { env: { ...process.env, FIFE_RABBITMQ_DIR: this.dir }, timeout: 60_000 });
    return stdout;
  }

  /** The node the script addresses in our folder must listen on our URL's port. */
  private async assertOwnNode(): Promise<void> {
    const state = await readFile(join(this.dir, 'node.env'), 'utf8');
    const port = /RABBITMQ_NODE_PORT=(\d+)/.exec(state)?.[1];
    if (!port || port !== new URL(this.url).port) throw new Error(`refusing to restart: ${this.dir} addresses port ${port}, not ${new URL(this.url).port}`);
  }

  /**
   * Stops the RabbitMQ application (every connection dropped, the AMQP port closed), waits `downMs`, starts
   * it again on the same port with its durable queues. A full node restart would make the script pick new
   * ports, which running processes could not follow.
   */
  async restart(downMs: number): Promise<{ stoppedAt: number; startedAt: number }> {
    await this.assertOwnNode();
    await this.ctl('stop_app');
    const stoppedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.ctl('start_app');
    await this.ctl('await_startup', '--timeout', '60');
    return { stoppedAt, startedAt: Date.now() };
  }

  /** Consumers of each queue, by passive declaration (a missing queue counts -1). */
  async consumers(queues: string[]): Promise<Record<string, number>> {
    const conn = await amqp.connect(this.url);
    try {
      const out: Record<string, number> = {};
      for (const queue of queues) {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        try {
          out[queue] = (await ch.checkQueue(queue)).consumerCount;
          await ch.close();
        } catch {
          out[queue] = -1;
        }
      }
      return out;
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  /** Consumers per queue as the broker lists them (`rabbitmqctl list_queues`), to compare with `consumers`. */
  async listedConsumers(queues: string[]): Promise<Record<string, number>> {
    const rows = (await this.ctl('list_queues', 'name', 'consumers')).split('\n').map((l) => l.split('\t'));
    return Object.fromEntries(queues.map((q) => [q, Number(rows.find((r) => r[0] === q)?.[1] ?? -1)]));
  }

  /** AMQP connections per client connection_name (a process opening two connections shows up twice). */
  async connectionNames(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const line of (await this.ctl('list_connections', 'client_properties')).split('\n')) {
      const name = /"connection_name","([^"]+)"/.exec(line)?.[1];
      if (name) out[name] = (out[name] ?? 0) + 1;
    }
    return out;
  }

  /** Stops the node and removes its data (each start makes a node of a new name, so nothing is reused). */
  async stop(): Promise<void> {
    await run('bash', [script, 'stop'], { env: { ...process.env, FIFE_RABBITMQ_DIR: this.dir }, timeout: 60_000 }).catch(() => undefined);
    await rm(join(this.dir, 'mnesia'), { recursive: true, force: true });
    await rm(join(this.dir, 'log'), { recursive: true, force: true });
  }
}
