import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FifeError } from '@fife/api';

export const embeddedCouchBin = fileURLToPath(new URL('./bin/embedded-couch.ts', import.meta.url));

export type EmbeddedCouchProcess = {
  url: string;
  port: number;
  pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  child: ChildProcess;
};

export type SpawnEmbeddedCouchOptions = { dataDir: string; port?: number; startTimeoutMs?: number; cwd?: string };

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts the embedded server as a child process (for fault-injection tests and supervisors that want to
 * stop and restart it independently of the caller). Resolves once it printed its listening line.
 */
export async function spawnEmbeddedCouch(options: SpawnEmbeddedCouchOptions): Promise<EmbeddedCouchProcess> {
  const tsx = import.meta.resolve('tsx');
  const args = ['--import', tsx, embeddedCouchBin, '--data-dir', options.dataDir, '--port', String(options.port ?? 0)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));

  const listening = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new FifeError('store.embedded_start_timeout', 'embedded CouchDB process did not start in time', { stderr }));
    }, options.startTimeoutMs ?? 20_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const message = JSON.parse(line) as { event?: string; url?: string; port?: number };
        if (message.event === 'listening' && message.url && message.port) {
          clearTimeout(timer);
          resolve({ url: message.url, port: message.port });
        }
      } catch {
        // Not our JSON line; ignore.
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new FifeError('store.embedded_start_failed', `embedded CouchDB process exited (${code}) before listening`, { code, stderr }));
    });
  });

  const stop = async (graceMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited(child);
    clearTimeout(timer);
  };
  return { ...listening, pid: child.pid!, stop, child };
}
