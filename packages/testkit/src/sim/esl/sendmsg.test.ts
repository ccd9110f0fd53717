import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VirtualClock } from '../clock.js';
import { SimNode } from '../node.js';
import { header, RawEslClient } from '../test-support/raw-client.js';

const D = '127.0.0.1';

describe('sendmsg drives a parked channel', { timeout: 30_000 }, () => {
  const clock = new VirtualClock();
  let node: SimNode;
  before(async () => {
    // No xml_curl binding: every call falls back to the static dialplan, which parks.
    node = await new SimNode({ clock, authCalls: false, endpoints: [{ user: '1000', domain: D, password: 'x', register: false }] }).start();
  });
  after(async () => node.stop());

  test('execute answer/playback/set (body argument), uuid_getvar, hangup; Application-UUID is the Event-UUID', async () => {
    const c = await RawEslClient.connect(node.port);
    await c.command('auth ClueCon');
    await c.command('event json ALL');
    const call = await node.phone('1000').call('5555');
    await clock.advance(10);
    const uuid = call.uuid;
    await c.waitFor((f) => f.body.includes('"Event-Name":"CHANNEL_PARK"'));

    const answerUuid = '12801ba8-ff63-44f5-aedc-f8d95c1bcf9a';
    const ok = await c.command(`sendmsg ${uuid}\ncall-command: execute\nexecute-app-name: answer\nevent-lock: true\nEvent-UUID: ${answerUuid}`);
    assert.equal(header(ok, 'Reply-Text'), '+OK');
    await clock.advance(10);
    const complete = await c.waitFor((f) => f.body.includes('"Event-Name":"CHANNEL_EXECUTE_COMPLETE"') && f.body.includes(answerUuid));
    const ev = JSON.parse(complete.body) as Record<string, string>;
    assert.equal(ev['Application'], 'answer');
    assert.equal(ev['Application-UUID'], answerUuid);
    assert.equal(ev['Answer-State'], 'answered');

    await c.command(`sendmsg ${uuid}\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: tone_stream://%(300,100,440);loops=2\nevent-lock: true`);
    await clock.advance(799);
    assert.equal(c.events('PLAYBACK_STOP').length, 0, 'two loops of 400 ms take 800 ms');
    await clock.advance(1);
    await c.waitFor((f) => f.body.includes('"Event-Name":"PLAYBACK_STOP"'));

    const body = 'capture_var=hello world';
    await c.command(`sendmsg ${uuid}\ncall-command: execute\nexecute-app-name: set\ncontent-type: text/plain\ncontent-length: ${body.length}\n\n${body}`);
    await clock.advance(10);
    const getvar = await c.command(`api uuid_getvar ${uuid} capture_var`);
    assert.equal(getvar.raw, 'Content-Type: api/response\nContent-Length: 11\n\nhello world');

    await c.command(`sendmsg ${uuid}\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING`);
    await clock.advance(10);
    const done = await c.waitFor((f) => f.body.includes('"Event-Name":"CHANNEL_DESTROY"'));
    assert.equal((JSON.parse(done.body) as Record<string, string>)['Hangup-Cause'], 'NORMAL_CLEARING');
    const names = c
      .events()
      .filter((e) => e['Unique-ID'] === uuid && !['CHANNEL_STATE', 'CHANNEL_CALLSTATE'].includes(e['Event-Name']!))
      .map((e) => e['Event-Name']);
    const tail = names.slice(names.lastIndexOf('CHANNEL_HANGUP'));
    assert.deepEqual(tail, ['CHANNEL_HANGUP', 'CHANNEL_UNPARK', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY']);
    c.close();
  });

  test('myevents binds the connection to one channel; linger keeps it open after hangup', async () => {
    const call = await node.phone('1000').call('5556');
    await clock.advance(10);
    const other = await node.phone('1000').call('5557');
    await clock.advance(10);
    const c = await RawEslClient.connect(node.port);
    await c.command('auth ClueCon');
    assert.equal(header(await c.command(`myevents ${call.uuid} json`), 'Reply-Text'), '+OK Events Enabled');
    assert.equal(header(await c.command('linger'), 'Reply-Text'), '+OK will linger');
    other.channel.hangup('NORMAL_CLEARING');
    call.channel.hangup('USER_BUSY');
    await clock.advance(10);
    const notice = await c.waitFor((f) => header(f, 'Content-Disposition') === 'linger');
    assert.equal(header(notice, 'Controlled-Session-UUID'), call.uuid);
    assert.ok(c.events().every((e) => e['Unique-ID'] === call.uuid), 'only the bound channel');
    await c.waitFor((f) => f.body.includes('"Event-Name":"CHANNEL_HANGUP_COMPLETE"'), c.frames.indexOf(notice));
    assert.equal(c.closed, false);
    await c.command('exit');
    await c.waitClosed();
  });

  test('without linger, a bound connection gets the hangup, a disconnect notice, and is closed', async () => {
    const call = await node.phone('1000').call('5558');
    await clock.advance(10);
    const c = await RawEslClient.connect(node.port);
    await c.command('auth ClueCon');
    await c.command(`myevents ${call.uuid} json`);
    await c.command(`sendmsg ${call.uuid}\ncall-command: hangup\nhangup-cause: USER_BUSY`);
    const hangup = await c.waitFor((f) => f.body.includes('"Event-Name":"CHANNEL_HANGUP"'));
    const notice = await c.waitFor((f) => header(f, 'Content-Type') === 'text/disconnect-notice');
    assert.ok(c.frames.indexOf(notice) > c.frames.indexOf(hangup));
    await c.waitClosed();
    await clock.advance(10);
  });
});
