import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FifeError } from '@fife/api';
import { repoRoot } from './paths.js';

const run = promisify(execFile);
const script = join(repoRoot, 'scripts', 'rabbitmq.sh');

/** AMQP_URL when it answers, else a private local node (installed with apt-get on first use). */
export async function ensureBroker(): Promise<{ url: string; stop(): Promise<void> }> {
  try {
    const { stdout } = await run('bash', [script, 'start'], { timeout: 300_000 });
    const line = stdout.split('\n').find((l) => l.startsWith('AMQP_URL='));
    if (!line) throw new Error(stdout);
    const url = line.slice('AMQP_URL='.length);
    const ours = stdout.includes('BROKER_STARTED=1'); // a node someone else started stays up
    return { url, stop: async () => void (ours && (await run('bash', [script, 'stop']).catch(() => undefined))) };
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new FifeError('cluster.broker', `could not make RabbitMQ available: ${stderr.trim() || (err as Error).message}`);
  }
}
