import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VirtualClock } from '../clock.js';
import { SimNode, startSimNode } from '../node.js';
import { header, RawEslClient } from '../test-support/raw-client.js';

describe('ESL server (inbound)', { timeout: 30_000 }, () => {
  let node: SimNode;
  let clock: VirtualClock;
  before(async () => {
    clock = new VirtualClock();
    node = await startSimNode({ hostname: 'fs-test', clock });
  });
  after(async () => node.stop());

  test('greets with auth/request and accepts the right password', async () => {
    const c = await RawEslClient.connect(node.port);
    const greeting = await c.waitFor(() => true);
    assert.equal(greeting.raw, 'Content-Type: auth/request\n\n');
    const before = await c.command('api status');
    assert.equal(header(before, 'Reply-Text'), '-ERR command not found');
    const ok = await c.command('auth ClueCon');
    assert.equal(ok.raw, 'Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
    c.close();
  });

  test('rejects a wrong password with -ERR invalid, a disconnect notice, and closes', async () => {
    const c = await RawEslClient.connect(node.port);
    const reply = await c.command('auth nope');
    assert.equal(header(reply, 'Reply-Text'), '-ERR invalid');
    const notice = await c.waitFor((f) => header(f, 'Content-Type') === 'text/disconnect-notice');
    assert.equal(notice.body, 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n');
    await c.waitClosed();
  });

  test('api commands answer with api/response bodies as FreeSWITCH prints them', async () => {
    const c = await RawEslClient.connect(node.port);
    await c.command('auth ClueCon');
    const version = await c.command('api version');
    assert.equal(version.raw, 'Content-Type: api/response\nContent-Length: 50\n\nFreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n');
    const unknown = await c.command('api nosuchcommand arg');
    assert.equal(unknown.body, '-ERR nosuchcommand Command not found!\n');
    const channels = await c.command('api show channels as json');
    assert.equal(channels.body, '{"row_count": 0}\n');
    const status = await c.command('api status');
    assert.match(status.body, /^UP 0 years, 0 days, 0 hours, 0 minutes, \d+ seconds/);
    assert.match(status.body, /FreeSWITCH \(Version 1\.10\.12-release {2}64bit\) is ready\n/);
    const sofia = await c.command('api sofia status');
    assert.match(sofia.body, /internal\tprofile\t {14}sip:mod_sofia@127\.0\.0\.1:5060\tRUNNING \(0\)/);
    c.close();
  });

  test('event json ALL delivers HEARTBEAT every 20 s of the virtual clock, Content-Length first', async () => {
    const c = await RawEslClient.connect(node.port);
    await c.command('auth ClueCon');
    const reply = await c.command('event json ALL');
    assert.equal(header(reply, 'Reply-Text'), '+OK event listener enabled json');
    const from = c.frames.length;
    await clock.advance(20_000);
    const hb = await c.waitFor((f) => f.body.includes('"Event-Name":"HEARTBEAT"'), from);
    assert.deepEqual(hb.headers.map(([k]) => k), ['Content-Length', 'Content-Type']);
    const event = JSON.parse(hb.body) as Record<string, string>;
    assert.equal(event['FreeSWITCH-Hostname'], 'fs-test');
    assert.equal(event['Core-UUID'], node.identity.coreUuid);
    assert.equal(event['Event-Calling-Function'], 'send_heartbeat');
    assert.match(event['Event-Date-Timestamp']!, /^\d{16}$/);
    await c.waitFor((f) => f.body.includes('"Event-Name":"RE_SCHEDULE"'), from);
    c.close();
  });

  test('bgapi replies with the Job-UUID and fires BACKGROUND_JOB with the output as body', async () => {
    const c = await RawEslClient.connect(node.port);
    await c.command('auth ClueCon');
    await c.command('event plain BACKGROUND_JOB');
    const reply = await c.command('bgapi status\nJob-UUID: d29ce9f8-2b69-4268-b7b6-8553cc18fb85');
    assert.equal(header(reply, 'Reply-Text'), '+OK Job-UUID: d29ce9f8-2b69-4268-b7b6-8553cc18fb85');
    assert.equal(header(reply, 'Job-UUID'), 'd29ce9f8-2b69-4268-b7b6-8553cc18fb85');
    const job = await c.waitFor((f) => header(f, 'Content-Type') === 'text/event-plain');
    assert.match(job.body, /^Event-Name: BACKGROUND_JOB\n/);
    assert.match(job.body, /\nJob-UUID: d29ce9f8-2b69-4268-b7b6-8553cc18fb85\nJob-Command: status\nContent-Length: \d+\n\nUP 0 years/);
    c.close();
  });

  test('filters, nixevent, noevents and exit reply with the captured texts', async () => {
    const c = await RawEslClient.connect(node.port);
    await c.command('auth ClueCon');
    assert.equal(header(await c.command('event'), 'Reply-Text'), '-ERR no keywords supplied');
    assert.equal(header(await c.command('filter Event-Name BACKGROUND_JOB'), 'Reply-Text'), '+OK filter added. [Event-Name]=[BACKGROUND_JOB]');
    assert.equal(header(await c.command('filter delete Event-Name BACKGROUND_JOB'), 'Reply-Text'), '+OK filter deleted. [Event-Name][BACKGROUND_JOB]');
    assert.equal(header(await c.command('filter delete all'), 'Reply-Text'), '+OK filter deleted. [all][]');
    assert.equal(header(await c.command('noevents'), 'Reply-Text'), '-ERR not listening for events');
    assert.equal(header(await c.command('event plain CHANNEL_CREATE'), 'Reply-Text'), '+OK event listener enabled plain');
    assert.equal(header(await c.command('nixevent CHANNEL_CREATE'), 'Reply-Text'), '+OK events nixed');
    assert.equal(header(await c.command('noevents'), 'Reply-Text'), '+OK no longer listening for events');
    assert.equal(header(await c.command('linger'), 'Reply-Text'), '-ERR not controlling a session');
    assert.equal(header(await c.command('myevents 00000000-0000-0000-0000-000000000000 json'), 'Reply-Text'), '-ERR invalid uuid');
    const sendmsg = await c.command('sendmsg 00000000-0000-0000-0000-000000000000\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING');
    assert.equal(header(sendmsg, 'Reply-Text'), '-ERR invalid session id [00000000-0000-0000-0000-000000000000]');
    assert.equal(header(await c.command('exit'), 'Reply-Text'), '+OK bye');
    await c.waitFor((f) => header(f, 'Content-Type') === 'text/disconnect-notice');
    await c.waitClosed();
  });

  test('a filter narrows delivery to matching events only', async () => {
    const c = await RawEslClient.connect(node.port);
    await c.command('auth ClueCon');
    await c.command('event json BACKGROUND_JOB API');
    await c.command('filter Event-Name BACKGROUND_JOB');
    await c.command('bgapi version');
    await c.waitFor((f) => f.body.includes('"Event-Name":"BACKGROUND_JOB"'));
    assert.equal(c.events('API').length, 0, 'API events are filtered out');
    c.close();
  });

  test('stopping the node sends every client a disconnect notice and closes it', async () => {
    const other = await startSimNode({ hostname: 'fs-stop', clock: new VirtualClock() });
    const c = await RawEslClient.connect(other.port);
    await c.command('auth ClueCon');
    await other.stop();
    const notice = await c.waitFor((f) => header(f, 'Content-Type') === 'text/disconnect-notice');
    assert.equal(notice.raw, 'Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n');
    await c.waitClosed();
  });
});
