import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './shared-fixtures.js';

const run = promisify(execFile);
const script = join(repoRoot, 'scripts', 'rabbitmq.sh');
let started: Promise<string> | undefined;

/**
 * A real RabbitMQ for tests: $AMQP_URL when set (the test command starts one private node for the
 * whole run), else a private node started by scripts/rabbitmq.sh, as when one test file runs alone.
 */
export function brokerUrl(): Promise<string> {
  if (process.env.AMQP_URL) return Promise.resolve(process.env.AMQP_URL);
  started ??= run('bash', [script, 'start'], { timeout: 180_000 }).then(({ stdout }) => {
    const line = stdout.split('\n').find((l) => l.startsWith('AMQP_URL='));
    if (!line) throw new Error(`scripts/rabbitmq.sh printed no AMQP_URL: ${stdout}`);
    process.env.AMQP_URL = line.slice('AMQP_URL='.length);
    return process.env.AMQP_URL;
  });
  return started;
}

/** rabbitmqctl against the test broker, e.g. `brokerCtl('close_all_connections', 'test')`. */
export async function brokerCtl(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [script, 'ctl', '-q', ...args], { timeout: 60_000 });
  return stdout;
}
