import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import pino from 'pino';
import { isFifeError } from '@fife/api';
import { Bus } from '@fife/bus';
import { FifeClient } from '@fife/client';
import { dataDir } from './paths.js';
import { errorMessage, exitCodeFor, exitCodes } from './output/index.js';

/** A short-lived bus for one CLI command: connects (failing fast), runs `fn`, always closes. */
export async function withCliBus<T>(url: string, fn: (bus: Bus) => Promise<T>): Promise<T> {
  const bus = new Bus({
    url,
    identity: { appName: 'fife-cli', appVersion: '0.1.0', node: `fife-cli@${process.pid}` },
    logger: pino({ level: 'silent' }),
    reconnect: { maxRetries: 2, initialDelayMs: 200 },
  });
  await bus.start();
  try {
    return await fn(bus);
  } finally {
    await bus.close();
  }
}

/** The same for commands written against the integrator SDK (they use what integrators use). */
export async function withCliClient<T>(url: string, fn: (client: FifeClient) => Promise<T>): Promise<T> {
  return withCliBus(url, (bus) => fn(FifeClient.fromBus(bus)));
}

export interface BrokerLocation {
  url: string;
  /** Where the URL came from, for error messages: `AMQP_URL` or the cluster.json path. */
  source: string;
}

/** `<FIFE_DATA_DIR or .fife>/cluster.json`, written by `fife up` while the cluster runs. */
export const clusterFile = (): string => join(process.env.FIFE_DATA_DIR ?? dataDir, 'cluster.json');

/** AMQP_URL wins; otherwise the URL `fife up` recorded. Undefined when neither exists. */
export function findBroker(): BrokerLocation | undefined {
  if (process.env.AMQP_URL) return { url: process.env.AMQP_URL, source: 'AMQP_URL' };
  const file = clusterFile();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const url = (JSON.parse(text) as { amqpUrl?: unknown }).amqpUrl;
    return typeof url === 'string' && url ? { url, source: file } : undefined;
  } catch {
    return undefined;
  }
}

/** Where the URL of this run came from (see runCli's hint). */
let brokerSource: string | undefined;

/** The broker URL for commands that talk to a running Fife; exits 2 with a hint when there is none. */
export function amqpUrlOrExit(command: string): string {
  const found = findBroker();
  brokerSource = found?.source;
  if (!found) {
    process.stderr.write(
      `fife ${command}: no broker to talk to — set AMQP_URL (e.g. amqp://guest:guest@127.0.0.1:5672) or start the cluster with \`fife up\` (it writes ${clusterFile()})\n`,
    );
    process.exit(exitCodes.usage);
  }
  return found.url;
}

/**
 * Runs a command's action and exits with its code; a thrown error is printed as one line and mapped
 * by exitCodeFor (broker down / no answer → 3). Exits explicitly: an AMQP socket closing late must not
 * keep a finished command alive.
 */
export async function runCli(command: string, action: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await action();
  } catch (err) {
    code = exitCodeFor(err);
    // A refused connection names a host and port; say which setting they came from (a stale cluster.json?).
    const hint = code === exitCodes.unreachable && !isFifeError(err) && brokerSource ? ` (broker URL from ${brokerSource}${brokerSource === 'AMQP_URL' ? '' : '; is `fife up` running?'})` : '';
    process.stderr.write(`fife ${command}: ${errorMessage(err)}${hint}\n`);
  }
  process.exit(code);
}

/** commander argParser for millisecond/second options: a bad value is a usage error (exit 2), not NaN. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/** `user@realm` split at its last `@` (a user part may hold one); undefined when either side is empty. */
export function userAtRealm(value: string): { user: string; realm: string } | undefined {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return undefined;
  return { user: value.slice(0, at), realm: value.slice(at + 1) };
}
