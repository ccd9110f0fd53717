#!/usr/bin/env -S node --import tsx
/**
 * Runs the embedded CouchDB-compatible server as a process of its own.
 *   embedded-couch [--data-dir DIR] [--port N] [--host ADDR]
 * Prints one JSON line on stdout once listening: {"event":"listening","url":...,"port":...,"dataDir":...,"pid":...}
 * and stops cleanly on SIGTERM or SIGINT (exit code 0).
 */
import { parseArgs } from 'node:util';
import { defaultDataDir, startEmbeddedCouch } from '../embedded-couch.js';

function fail(message: string): never {
  process.stderr.write(`${JSON.stringify({ event: 'error', message })}\n`);
  process.exit(1);
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be an integer 0-65535, got "${text}"`);
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
    strict: true,
  });
  const couch = await startEmbeddedCouch({
    dataDir: values['data-dir'] ?? defaultDataDir(),
    port: parsePort(values.port),
    host: values.host ?? '127.0.0.1',
  });
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: couch.url, port: couch.port, dataDir: couch.dataDir, pid: process.pid })}\n`);
  const shutdown = () => {
    couch.stop().then(
      () => process.exit(0),
      (error: unknown) => fail(`stop failed: ${String(error)}`),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
