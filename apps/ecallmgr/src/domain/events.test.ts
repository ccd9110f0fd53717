import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { build, call, registration, validate } from '@fife/api';
import { fixturePath, sharedSkip } from '@fife/testkit';
import { callEventFields, isCallEvent } from './call-event.js';
import { regSuccessFields } from './registration.js';

const sender = { appName: 'ecallmgr', appVersion: '0.1.0', node: 'ecallmgr@test' };
const event = (name: string): Record<string, string> => JSON.parse(readFileSync(fixturePath('freeswitch', 'events', `${name}.json`), 'utf8'));

describe('FreeSWITCH events → Kazoo messages (captured events)', { skip: sharedSkip }, () => {
  test('CHANNEL_CREATE → a valid call event keyed call.CHANNEL_CREATE.<uuid>', () => {
    const e = event('CHANNEL_CREATE');
    assert.ok(isCallEvent(e));
    const msg = build(call.event, callEventFields(e) as never, sender);
    assert.equal(msg['Call-ID'], e['Unique-ID']);
    assert.equal(msg['Msg-ID'], e['Event-Date-Timestamp']);
    assert.ok(Number(msg.Timestamp) > 62_000_000_000, 'Gregorian seconds');
    assert.equal(call.event.routingKey(msg), `call.CHANNEL_CREATE.${e['Unique-ID']}`);
    assert.equal(msg['Caller-ID-Number'], '1000');
  });
  test('bridge CHANNEL_EXECUTE_COMPLETE carries the originate disposition; park is silent', () => {
    const e = event('CHANNEL_EXECUTE_COMPLETE');
    assert.equal(e.Application, 'bridge');
    const fields = callEventFields(e);
    assert.equal(fields['Application-Name'], 'bridge');
    assert.equal(fields['Application-Response'], e.variable_originate_disposition ?? 'FAIL');
    assert.equal(isCallEvent(event('CHANNEL_EXECUTE_COMPLETE--park')), false);
    const play = callEventFields(event('CHANNEL_EXECUTE_COMPLETE--sendmsg-playback'));
    assert.equal(play['Application-Name'], 'play');
  });
  test('every captured channel event we publish validates as call_event', () => {
    for (const name of ['CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_DESTROY', 'DTMF', 'CHANNEL_EXECUTE', 'CHANNEL_ANSWER--bleg']) {
      const e = event(name);
      assert.ok(isCallEvent(e), name);
      const checked = validate(call.event, { ...callEventFields(e), 'Event-Category': 'call_event', 'App-Name': 'ecallmgr', 'App-Version': '1' });
      assert.ok(checked.ok, `${name}: ${checked.ok ? '' : checked.error.message}`);
    }
    const dtmf = callEventFields(event('DTMF'));
    assert.ok(dtmf['DTMF-Digit']);
    assert.equal(isCallEvent(event('HEARTBEAT')), false);
    assert.equal(isCallEvent(event('CHANNEL_STATE')), false);
  });
  test('sofia::register → reg_success (Contact without brackets, CCV-free capture)', () => {
    const f = regSuccessFields(event('CUSTOM--sofia__register'), Date.now())!;
    const msg = build(registration.success, f as never, sender);
    assert.equal(msg.Username, '1000');
    assert.equal(msg.Realm, '127.0.0.1');
    assert.equal(msg.Contact, 'sip:1000@127.0.0.1:15070');
    assert.equal(msg.Expires, 3600);
    assert.equal(msg.Status, 'Registered');
    assert.equal(registration.success.routingKey(msg), 'registration.success.127%2E0%2E0%2E1.1000');
  });
  test('sofia::unregister and sofia::expire → Expires 0, Unregistered', () => {
    for (const name of ['CUSTOM--sofia__unregister', 'CUSTOM--sofia__expire']) {
      const f = regSuccessFields(event(name), Date.now())!;
      assert.equal(f.Expires, 0, name);
      assert.equal(f.Status, 'Unregistered');
      assert.ok(build(registration.success, f as never, sender));
    }
    assert.equal(regSuccessFields(event('CUSTOM--sofia__register_failure'), Date.now()), undefined);
  });
});

test('CCVs come back from ecallmgr_ variables on registration events', () => {
  const f = regSuccessFields(
    { 'Event-Name': 'CUSTOM', 'Event-Subclass': 'sofia::register', username: 'u', realm: 'r', contact: '<sip:u@1.2.3.4:5060>', expires: '60', 'ecallmgr_Account-ID': 'a1' },
    0,
  )!;
  assert.deepEqual(f['Custom-Channel-Vars'], { 'Account-ID': 'a1' });
  assert.equal(f['Account-ID'], 'a1');
});

describe('channel resync from `show channels as json`', { skip: sharedSkip }, () => {
  test('the captured bridged-call answer gives both legs; an empty answer none; destroyed calls stay gone', async () => {
    const { channelRows } = await import('../nodes/resync.js');
    const { ChannelTable } = await import('../nodes/channels.js');
    const frame = readFileSync(fixturePath('freeswitch', 'frames', 'api-show-channels-as-json--bridged-call.txt'), 'utf8');
    const rows = channelRows(frame.slice(frame.indexOf('\n\n') + 2));
    assert.equal(rows.length, 2);
    assert.deepEqual(channelRows('{"row_count": 0}\n'), []);
    assert.deepEqual(channelRows('-ERR nope'), []);
    const table = new ChannelTable();
    table.apply('fs', { 'Event-Name': 'CHANNEL_DESTROY', 'Unique-ID': rows[1]!.uuid! });
    assert.deepEqual(table.resync('fs', rows), [rows[0]!.uuid]);
    const bleg = new ChannelTable();
    bleg.resync('fs', rows);
    assert.equal(bleg.get(rows[1]!.uuid!)?.username, '1001');
    assert.equal(bleg.get(rows[1]!.uuid!)?.realm, '127.0.0.1');
  });
});
