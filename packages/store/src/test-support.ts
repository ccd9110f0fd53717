// Helpers for this package's tests: every test gets its own data folder and its own server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nano from 'nano';
import { startEmbeddedCouch, type EmbeddedCouch } from './embedded-couch.js';

export async function tempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `fife-store-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Runs `body` against a fresh embedded server in a fresh folder, and always cleans both up. */
export async function withCouch<T>(label: string, body: (couch: EmbeddedCouch, server: nano.ServerScope) => Promise<T>): Promise<T> {
  const dir = await tempDir(label);
  const couch = await startEmbeddedCouch({ dataDir: join(dir.path, 'couch') });
  try {
    return await body(couch, nano(couch.url));
  } finally {
    await couch.stop();
    await dir.remove();
  }
}

/** Polls until `check` returns true or the time is up; returns the elapsed milliseconds or throws. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started <= timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
