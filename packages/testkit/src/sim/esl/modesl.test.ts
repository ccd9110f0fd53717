import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { VirtualClock } from '../clock.js';
import { SimNode } from '../node.js';

/** The slice of modesl's (untyped, CommonJS) API these tests use. */
interface EslEvent {
  getHeader(name: string): string | undefined;
  getBody(): string;
  type: string;
}
interface EslConnection {
  on(event: string, listener: (...args: unknown[]) => void): void;
  once(event: string, listener: (...args: unknown[]) => void): void;
  api(command: string, cb: (res: EslEvent) => void): void;
  bgapi(command: string, args: string, cb: (res: EslEvent) => void): void;
  events(type: string, events: string, cb: () => void): void;
  disconnect(): void;
}
type ConnectionCtor = new (host: string, port: number, password: string, ready?: () => void) => EslConnection;

const require = createRequire(import.meta.url);
const modesl = require('modesl') as { Connection: ConnectionCtor };

const connectModesl = (port: number, password = 'ClueCon'): Promise<EslConnection> =>
  new Promise((resolve, reject) => {
    const conn = new modesl.Connection('127.0.0.1', port, password, () => resolve(conn));
    conn.on('error', (err) => reject(err as Error));
    conn.on('esl::end', () => reject(new Error('connection ended before ready')));
  });

describe('a client we did not write: modesl against the simulator', { timeout: 30_000 }, () => {
  const clock = new VirtualClock();
  let node: SimNode;
  before(async () => {
    node = await new SimNode({
      hostname: 'fs-modesl',
      clock,
      staticDialplan: (dest) =>
        dest === '9999'
          ? [{ application: 'answer', data: '' }, { application: 'playback', data: 'tone_stream://%(300,100,440);loops=2' }, { application: 'hangup', data: '' }]
          : [{ application: 'park', data: '' }],
    }).start();
  });
  after(async () => node.stop());

  test('authenticates, runs api, subscribes and receives events, runs bgapi originate', async () => {
    const conn = await connectModesl(node.port);
    try {
      const status = await new Promise<EslEvent>((resolve) => conn.api('status', resolve));
      assert.match(status.getBody(), /^UP 0 years/);
      await new Promise<void>((resolve) => conn.events('json', 'all', resolve));
      const created: string[] = [];
      conn.on('esl::event::CHANNEL_CREATE::*', (...args: unknown[]) => created.push((args[0] as EslEvent).getHeader('Channel-Name') ?? ''));
      const heartbeat = new Promise<EslEvent>((resolve) => conn.once('esl::event::HEARTBEAT::*', (e) => resolve(e as EslEvent)));
      const job = await new Promise<EslEvent>((resolve) =>
        conn.bgapi('originate', '{origination_caller_id_number=9000}loopback/9999/default &park()', resolve),
      );
      assert.match(job.getBody(), /^\+OK [0-9a-f-]{36}\n$/);
      assert.equal(job.getHeader('Job-Command'), 'originate');
      await clock.advance(20_000);
      const hb = await heartbeat;
      assert.equal(hb.getHeader('FreeSWITCH-Hostname'), 'fs-modesl');
      assert.deepEqual(created.sort(), ['loopback/9999-a', 'loopback/9999-b']);
      const failed = await new Promise<EslEvent>((resolve) => conn.bgapi('originate', 'error/user_busy &park()', resolve));
      assert.equal(failed.getBody(), '-ERR USER_BUSY\n');
    } finally {
      conn.disconnect();
    }
  });

  test('a wrong password never gets ready', async () => {
    await assert.rejects(connectModesl(node.port, 'wrong'));
  });
});
