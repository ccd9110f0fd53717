import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { build, call } from '@fife/api';
import { Bus } from '@fife/bus';
import { formatEvent, tail } from './tail.js';
import { capture, startFife } from '../output/test-helpers.js';
import { testVhost } from '@fife/testkit';

describe('fife tail', () => {
  let url: string;
  let ecallmgr: Bus;
  const emit = async (name: string, callId: string, extra: Record<string, unknown> = {}) =>
    ecallmgr.publish(call.event, build(call.event, { 'Event-Name': name, 'Call-ID': callId, ...extra } as never, ecallmgr.identity));

  before(async () => {
    url = await testVhost('cli-commands');
    // A real publisher in ecallmgr's place.
    ecallmgr = new Bus({ url, identity: { appName: 'ecallmgr', appVersion: '0', node: 'ecallmgr@cli-test' }, logger: pino({ level: 'silent' }) });
    await ecallmgr.start();
  });
  after(() => ecallmgr.close());

  test('the binary: --call-id and --event filter on the broker, --json prints NDJSON, --count ends it with 0', async () => {
    const callId = `tail-${nanoid(8)}`;
    const run = startFife(['tail', '--call-id', callId, '--event', 'CHANNEL_ANSWER,CHANNEL_DESTROY', '--json', '--count', '2'], { AMQP_URL: url }, /listening/);
    await run.ready;
    await emit('CHANNEL_CREATE', callId);
    await emit('CHANNEL_ANSWER', `other-${callId}`);
    await emit('CHANNEL_ANSWER', callId, { 'Caller-ID-Number': '1001' });
    await emit('CHANNEL_DESTROY', callId, { 'Hangup-Cause': 'NORMAL_CLEARING' });
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr);
    const lines = done.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => [l['Event-Name'], l['Call-ID']]), [['CHANNEL_ANSWER', callId], ['CHANNEL_DESTROY', callId]]);
    assert.equal(lines[1]!['Hangup-Cause'], 'NORMAL_CLEARING');
  });

  test('the binary: SIGINT stops it cleanly with exit 0', async () => {
    const run = startFife(['tail', '--call-id', `sigint-${nanoid(6)}`], { AMQP_URL: url }, /listening/);
    await run.ready;
    run.child.kill('SIGINT');
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr);
  });

  test('--account filters on the channel variable; one line per event for people', async () => {
    const callId = `acct-${nanoid(8)}`;
    const io = capture();
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const running = tail(url, { callId, account: 'acc1', count: 1 }, stopped, io);
    const deadline = Date.now() + 20_000;
    while (!/listening/.test(io.stderr())) {
      assert.ok(Date.now() < deadline, `tail never subscribed: ${io.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await emit('CHANNEL_CREATE', callId, { 'Custom-Channel-Vars': { 'Account-ID': 'acc2' } });
    await emit('CHANNEL_ANSWER', callId, { 'Custom-Channel-Vars': { 'Account-ID': 'acc1' }, 'Caller-ID-Number': '1001', 'Callee-ID-Number': '2000' });
    const timer = setTimeout(stop, 10_000);
    assert.equal(await running, 0);
    clearTimeout(timer);
    assert.match(io.stdout(), new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  CHANNEL_ANSWER +${callId}  1001 → 2000\\n$`));
  });

  test('bad event names are a usage error before connecting', async () => {
    const io = capture();
    assert.equal(await tail('amqp://127.0.0.1:1', { events: ['answer'] }, Promise.resolve(), io), 2);
    assert.match(io.stderr(), /upper case/);
    assert.match(formatEvent({ 'Event-Name': 'DTMF', 'Call-ID': 'c1', 'DTMF-Digit': '5' } as never), /DTMF +c1  dtmf=5/);
  });
});
