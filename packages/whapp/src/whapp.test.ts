import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { z } from 'zod';
import { isFifeError, system } from '@fife/api';
import { Bus } from '@fife/bus';
import { brokerUrl } from '@fife/testkit';
import { createLogger, loadConfig, redactUrl, startWhapp, type RunningWhapp } from './index.js';

let url: string;
const running: Array<{ stop(): Promise<void> }> = [];
before(async () => {
  url = await brokerUrl();
});
after(async () => {
  for (const r of running) await r.stop();
});

const env = (extra: Record<string, string> = {}) => ({ AMQP_URL: url, LOG_LEVEL: 'silent', ...extra });

test('configuration errors name the variable', () => {
  assert.throws(
    () => loadConfig({ REG_MAX_CONTACTS: z.coerce.number().int().positive() }, { HTTP_PORT: 'eighty', REG_MAX_CONTACTS: '-2' }),
    (err) => isFifeError(err, 'config.invalid') && /HTTP_PORT/.test(err.message) && /REG_MAX_CONTACTS/.test(err.message),
  );
  const cfg = loadConfig({ REG_MAX_CONTACTS: z.coerce.number().default(5) }, {});
  assert.equal(cfg.REG_MAX_CONTACTS, 5);
  assert.equal(cfg.HTTP_HOST, '127.0.0.1');
});

test('credentials never reach a log line', () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  const log = createLogger('t', 'info', sink);
  log.info({ device: { sip: { username: '1001', password: 'Sup3rS3cret' } }, msg: { 'Auth-Password': 'Sup3rS3cret', 'Custom-Channel-Vars': {} } }, 'x');
  log.info({ amqp: redactUrl('amqp://fife:Sup3rS3cret@broker:5672/fife') }, 'y');
  assert.equal(lines.length, 2);
  assert.ok(!lines.join('').includes('Sup3rS3cret'), lines.join(''));
  assert.ok(lines[0]!.includes('1001'), 'non-secret fields are kept');
});

test('a whapp serves /healthz, /readyz and /metrics, and answers ping', async () => {
  const app: RunningWhapp<{}> = await startWhapp({ name: 'sample', version: '1.2.3', config: {}, setup: async () => undefined }, env());
  running.push(app);
  const health = await fetch(`${app.httpUrl}/healthz`);
  assert.equal(health.status, 200);
  const ready = await fetch(`${app.httpUrl}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { ready: true, checks: { bus: true } });

  const client = new Bus({ url, identity: { appName: 'probe', appVersion: '0', node: 'probe@test' }, logger: pino({ level: 'silent' }) });
  await client.start();
  try {
    const replies = await client.collect(system.pingReq, { App: 'sample' }, { timeoutMs: 500, replies: [system.pingResp] });
    const mine = replies.find((r) => r.PID === process.pid && r['App-Name'] === 'sample');
    assert.ok(mine, 'the whapp answered ping');
    assert.equal(mine['App-Version'], '1.2.3');
    assert.equal(mine.Ready, true);
    const others = await client.collect(system.pingReq, { App: 'someone-else' }, { timeoutMs: 300, replies: [system.pingResp] });
    assert.equal(others.filter((r) => r['App-Name'] === 'sample').length, 0, 'stays silent when asked for another app');
  } finally {
    await client.close();
  }
  const metrics = await (await fetch(`${app.httpUrl}/metrics`)).text();
  assert.match(metrics, /fife_messages_in_total\{message="system\/ping_req",queue="[^"]+",app="sample"\} 2/, 'both pings were consumed');
  assert.match(metrics, /fife_messages_out_total\{message="system\/ping_resp",exchange="targeted",app="sample"\} 1/);
  assert.match(metrics, /fife_handler_duration_seconds_bucket\{/);
  assert.match(metrics, /fife_bus_connected\{app="sample"\} 1/);
});

test('readiness reports a failing dependency with 503', async () => {
  let storeUp = false;
  const app = await startWhapp({ name: 'deps', version: '0', config: {}, setup: async (ctx) => ctx.addReadiness('store', () => storeUp) }, env());
  running.push(app);
  const down = await fetch(`${app.httpUrl}/readyz`);
  assert.equal(down.status, 503);
  assert.deepEqual(await down.json(), { ready: false, checks: { bus: true, store: false } });
  storeUp = true;
  assert.equal((await fetch(`${app.httpUrl}/readyz`)).status, 200);
});

test('a whapp that asks for a store gets the embedded CouchDB and reports it in /readyz', async () => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'fife-whapp-'));
  const app = await startWhapp(
    {
      name: 'with-store',
      version: '0',
      config: {},
      store: true,
      setup: async (ctx) => {
        await ctx.store.createAccount({ name: 'Example', realm: 'sip.example.com' });
      },
    },
    env({ FIFE_DATA_DIR: dir }),
  );
  running.push(app);
  const body = (await (await fetch(`${app.httpUrl}/readyz`)).json()) as { checks: Record<string, boolean> };
  assert.deepEqual(body.checks, { bus: true, store: true });
  const dbs = await app.store.server.db.list();
  assert.ok(dbs.includes('accounts') && dbs.includes('registrations'), dbs.join());
});

test('a process that cannot reach the broker exits 1 instead of idling', async () => {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const main = fileURLToPath(new URL('./testing/sample-main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, AMQP_URL: 'amqp://guest:guest@127.0.0.1:1', AMQP_RECONNECT_MAX_RETRIES: '2', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(stderr, /sample: cannot start: .*ECONNREFUSED/);
});

test('a bad configuration value stops the process with the variable named', async () => {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const main = fileURLToPath(new URL('./testing/sample-main.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', main], { env: { ...process.env, HTTP_PORT: 'eighty' }, encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /HTTP_PORT/);
});
