// Bad-input campaign, ESL side: a fake FreeSWITCH sends broken frames to the EslClient and to a
// running ecallmgr. The client drops a stream it can no longer trust and reconnects; nothing broken is
// delivered or published; a valid event sent afterwards arrives exactly once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import amqp, { type ChannelModel } from 'amqplib';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { exchangeOptions, exchanges, system } from '@fife/api';
import { Bus } from '@fife/bus';
import { EslClient, header, type EslEvent } from '@fife/esl';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import { ecallmgrWhapp, type EcallmgrRuntime } from '@fife/ecallmgr';
import { eventually, printTable } from './support.js';
import { eventJson, registerEvent, startFakeFreeswitch, type FakeFreeswitch } from './fake-freeswitch.js';
import { testVhost } from '@fife/testkit';

interface BrokenFrame {
  name: string;
  send(fs: FakeFreeswitch): void;
  /** The stream cannot be trusted any more: the client must reconnect. */
  reconnects: boolean;
}

function garbage(size: number, seed: number): Buffer {
  // Deterministic bytes without "\n\n", so they can only be read as an endless header line.
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x % 256 === 10 ? 11 : x % 256;
  }
  return out;
}

const BROKEN: BrokenFrame[] = [
  { name: 'Content-Length not a number', reconnects: true, send: (fs) => fs.write('Content-Length: abc\nContent-Type: text/event-json\n\n{"Event-Name":"CUSTOM"}') },
  { name: 'negative Content-Length', reconnects: true, send: (fs) => fs.write('Content-Length: -20\nContent-Type: text/event-json\n\n{}') },
  { name: 'Content-Length of 1 TB', reconnects: true, send: (fs) => fs.write('Content-Length: 1099511627776\nContent-Type: text/event-json\n\n{}') },
  {
    name: 'truncated frame, then EOF',
    reconnects: true,
    send: (fs) => fs.writeAndClose(registerEvent('truncated-never', 'x.example').slice(0, 120)),
  },
  { name: 'giant header (2 MB, no end)', reconnects: true, send: (fs) => fs.write(`X-Junk: ${'a'.repeat(2 * 1024 * 1024)}`) },
  {
    // Junk without a blank line glues itself to the next real frame's header lines; found when that frame comes.
    name: 'binary garbage (64 KB), then an event',
    reconnects: true,
    send: (fs) => {
      fs.write(garbage(64 * 1024, 7));
      fs.write(registerEvent('swallowed', 'x.example'));
    },
  },
  { name: 'header line without a colon', reconnects: false, send: (fs) => fs.write('this is not a header\nContent-Type: text/event-json\n\n') },
  { name: 'event body not JSON', reconnects: false, send: (fs) => fs.write('Content-Length: 12\nContent-Type: text/event-json\n\nnot json !!!') },
  { name: 'event JSON that is an array', reconnects: false, send: (fs) => fs.write('Content-Length: 7\nContent-Type: text/event-json\n\n[1,2,3]') },
  {
    name: 'register event with hostile fields',
    reconnects: false,
    send: (fs) =>
      fs.write(
        eventJson({
          'Event-Name': 'CUSTOM',
          'Event-Subclass': 'sofia::register',
          username: '',
          realm: `${'r'.repeat(100_000)}`,
          contact: '<sip:x@y>',
          expires: 'soon',
        }),
      ),
  },
];

describe('broken ESL frames from a fake FreeSWITCH', { timeout: 60_000 }, () => {
  const figures: Array<Array<string | number>> = [];
  after(() => printTable('broken ESL frames: reconnects, errors reported, frames delivered (probe = the valid event sent afterwards)', ['target', 'frame', 'reconnects', 'errors', 'stray', 'probe'], figures));

  test('EslClient: drops untrustworthy streams, reports the rest, delivers the next valid event once', async () => {
    const password = `esl-${nanoid(12)}`;
    const fs = await startFakeFreeswitch(password);
    const client = new EslClient({
      host: '127.0.0.1',
      port: fs.port,
      password,
      eventFormat: 'json',
      events: ['sofia::register'],
      reconnect: { initialDelayMs: 30, maxDelayMs: 200, factor: 2, jitter: 0 },
      liveness: { mode: 'off' },
    });
    const events: EslEvent[] = [];
    const errors: string[] = [];
    client.on('event', (e) => events.push(e));
    client.on('error', (e) => errors.push(e.code));
    try {
      client.start();
      await eventually('client up', () => client.up && fs.ready, 5000);
      for (const frame of BROKEN) {
        const connections = fs.connections;
        const errorsBefore = errors.length;
        const eventsBefore = events.length;
        frame.send(fs);
        if (frame.reconnects) await eventually(`${frame.name}: reconnect`, () => fs.connections > connections && fs.ready && client.up, 5000);
        else await new Promise((r) => setTimeout(r, 100));
        const probe = nanoid(8);
        fs.write(registerEvent(probe, 'probe.example'));
        const probes = () => events.filter((e) => (header(e, 'contact') ?? '').includes(`probe=${probe}`)).length;
        await eventually(`${frame.name}: probe delivered`, () => probes() > 0, 3000);
        await new Promise((r) => setTimeout(r, 50));
        const stray = events.slice(eventsBefore).filter((e) => !(header(e, 'contact') ?? '').includes(`probe=${probe}`)).length;
        figures.push(['EslClient', frame.name, fs.connections - connections, errors.length - errorsBefore, stray, probes()]);
        assert.equal(probes(), 1, `${frame.name}: the probe once`);
        assert.equal(fs.connections - connections, frame.reconnects ? 1 : 0, `${frame.name}: reconnects`);
        if (frame.name !== 'register event with hostile fields') assert.equal(stray, 0, `${frame.name}: nothing delivered from the broken frame`);
        if (frame.name !== 'truncated frame, then EOF' && frame.name !== 'register event with hostile fields') {
          assert.ok(errors.length > errorsBefore, `${frame.name}: an error was reported`);
        }
      }
    } finally {
      await client.stop();
      await fs.close();
    }
  });

  describe('a running ecallmgr', () => {
    let amqpUrl: string;
    let fs: FakeFreeswitch;
    let app: RunningWhapp<any>;
    let runtime: EcallmgrRuntime;
    let tapConnection: ChannelModel;
    const published: Array<{ exchange: string; key: string; body: Record<string, unknown> }> = [];
    const password = `esl-${nanoid(12)}`;
    const realm = `esl-${nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}.example.org`;

    before(async () => {
      amqpUrl = await testVhost('bad-input-esl');
      fs = await startFakeFreeswitch(password);
      // Everything ecallmgr could publish on, heard by one exclusive queue.
      tapConnection = await amqp.connect(amqpUrl);
      const ch = await tapConnection.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
      // Declared exactly as the bus declares them: an exchange with other options would stop ecallmgr's topology setup.
      for (const exchange of ['callevt', 'registrar', 'fife', 'callmgr'] as const) {
        await ch.assertExchange(exchange, exchanges[exchange].type, exchangeOptions);
        await ch.bindQueue(queue, exchange, '#');
      }
      await ch.consume(queue, (m) => m && published.push({ exchange: m.fields.exchange, key: m.fields.routingKey, body: JSON.parse(m.content.toString('utf8')) }), { noAck: true });
      app = await startWhapp(ecallmgrWhapp({ onReady: (r) => (runtime = r) }), {
        AMQP_URL: amqpUrl,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        HTTP_PORT: '0',
        DRAIN_TIMEOUT_MS: '2000',
        NODE_NAME: `ecallmgr-${nanoid(4)}@bad-input`,
        ECALLMGR_XMLCURL_PORT: '0',
        ECALLMGR_NODE_LEASES: 'off',
        ECALLMGR_FS_NODES: JSON.stringify([{ name: 'fake-fs', host: '127.0.0.1', port: fs.port }]),
        ECALLMGR_FS_PASSWORD: password,
      });
      await eventually('ecallmgr connected to the fake node', () => runtime.pool.nodes[0]!.up && fs.ready, 10_000);
    });

    after(async () => {
      await app?.stop();
      await fs?.close();
      await tapConnection?.close().catch(() => undefined);
    });

    test('broken frames: reconnects, never publishes what it could not read, publishes the next valid event once', async () => {
      assert.deepEqual([...new Set(fs.passwords)], [password], 'ESL password from the environment');
      for (const frame of BROKEN) {
        const connections = fs.connections;
        const mark = published.length;
        frame.send(fs);
        if (frame.reconnects) {
          await eventually(`${frame.name}: reconnect`, () => fs.connections > connections && fs.ready && runtime.pool.nodes[0]!.up, 8000);
        } else await new Promise((r) => setTimeout(r, 100));
        const probe = nanoid(8);
        fs.write(registerEvent(probe, realm));
        const probes = () => published.slice(mark).filter((p) => String(p.body.Contact ?? '').includes(`probe=${probe}`)).length;
        await eventually(`${frame.name}: probe published`, () => probes() > 0, 5000);
        await new Promise((r) => setTimeout(r, 100));
        const stray = published.slice(mark).filter((p) => !String(p.body.Contact ?? '').includes(`probe=${probe}`) && p.body['Event-Name'] !== 'media_server');
        figures.push(['ecallmgr', frame.name, fs.connections - connections, '', stray.length, probes()]);
        assert.equal(probes(), 1, `${frame.name}: probe published once`);
        assert.deepEqual(stray.map((p) => `${p.exchange}/${p.key}`), [], `${frame.name}: nothing else published`);
        assert.equal(fs.connections - connections, frame.reconnects ? 1 : 0, `${frame.name}: reconnects`);
      }
      const bus = new Bus({ url: amqpUrl, identity: { appName: 'bad-input', appVersion: '0', node: 'bad-input@test' }, logger: pino({ level: 'silent' }) });
      await bus.start();
      try {
        const pongs = await bus.collect(system.pingReq, { App: 'ecallmgr' } as never, { timeoutMs: 1500, replies: [system.pingResp], count: 1 });
        assert.equal(pongs.length, 1, 'ecallmgr answers ping');
      } finally {
        await bus.close();
      }
    });
  });
});
