/**
 * Test support for the CLI's command tests (not used at run time): run the real `fife` binary, capture
 * an Io, and stand up small real AMQP peers in place of services.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { Bus, type Handler } from '@fife/bus';
import { repoRoot } from '@fife/testkit';
import type { Io } from './index.js';

export interface FifeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Child environment: no inherited AMQP_URL / colour forcing unless the test sets them. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.AMQP_URL;
  delete base.FORCE_COLOR;
  delete base.NODE_TEST_CONTEXT; // a child test runner context would swallow the output
  return { ...base, ...env };
}

/** Runs `node apps/cli/bin/fife.mjs ...args` to completion. */
export function runFife(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<FifeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'apps/cli/bin/fife.mjs'), ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running `fife` (tail): resolves `ready` when stderr shows `readyPattern`; `done` on exit. */
export function startFife(args: string[], env: Record<string, string | undefined>, readyPattern: RegExp) {
  const child = spawn(process.execPath, [join(repoRoot, 'apps/cli/bin/fife.mjs'), ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (readyPattern.test(stderr)) resolve();
    });
    child.on('close', () => reject(new Error(`fife exited before it was ready: ${stderr}`)));
  });
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const done = new Promise<FifeRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  ready.catch(() => undefined);
  return { child, ready, done, stdout: () => stdout };
}

export function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

/** A real AMQP peer standing in for a service; `queue` defaults to an exclusive one of its own. */
export async function peer(
  url: string,
  name: string,
  bindings: Array<{ exchange: string; key: string }>,
  handlers: Handler<any>[],
  queue?: string,
): Promise<Bus> {
  const bus = new Bus({ url, identity: { appName: name, appVersion: '0', node: `${name}@cli-test` }, logger: pino({ level: 'silent' }) });
  await bus.start();
  await bus.consume({ queue: queue ?? `cli-test.${name}.${nanoid(6)}`, exclusive: !queue, bindings, handlers });
  return bus;
}
