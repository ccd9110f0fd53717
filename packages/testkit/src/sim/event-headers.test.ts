import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fixturePath, sharedSkip } from '../shared-fixtures.js';
import { VirtualClock } from './clock.js';
import type { FsEvent } from './event.js';
import { SimNode } from './node.js';
import { NOT_FOUND, TestXmlCurlServer } from './test-support/xml-curl-server.js';

const xmlCurlFile = (name: string): string => readFileSync(fixturePath(`freeswitch/xml-curl/${name}.response.xml`), 'utf8');
const capturedEvent = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(fixturePath(`freeswitch/events/${file}.json`), 'utf8')) as Record<string, unknown>;
const names = (keys: string[]): string[] => keys.filter((k) => !k.startsWith('variable_') && k !== '_body' && k !== 'Content-Length');

type Pick = (e: FsEvent) => boolean;
const sofiaIn: Pick = (e) => e.get('Call-Direction') === 'inbound' && (e.get('Channel-Name') ?? '').startsWith('sofia/');
const sofiaOut: Pick = (e) => e.get('Call-Direction') === 'outbound' && (e.get('Channel-Name') ?? '').startsWith('sofia/');
const app = (name: string): Pick => (e) => e.get('Application') === name;
const both = (...picks: Pick[]): Pick => (e) => picks.every((p) => p(e));

/** Which simulator event stands for each captured file (the scenario below mirrors the capture's main session). */
const CASES: Array<[file: string, name: string, pick: Pick]> = [
  ['CHANNEL_STATE', 'CHANNEL_STATE', (e) => e.get('Channel-State') === 'CS_NEW'],
  ['CHANNEL_CALLSTATE', 'CHANNEL_CALLSTATE', (e) => sofiaIn(e) && e.get('Channel-Call-State') === 'RINGING'],
  ['CHANNEL_HANGUP_COMPLETE--invite-bad-password-call-rejected', 'CHANNEL_HANGUP_COMPLETE', (e) => e.get('Hangup-Cause') === 'CALL_REJECTED'],
  ['CHANNEL_CREATE', 'CHANNEL_CREATE', sofiaIn],
  ['CHANNEL_CREATE--bleg', 'CHANNEL_CREATE', sofiaOut],
  ['CHANNEL_OUTGOING', 'CHANNEL_OUTGOING', sofiaOut],
  ['CHANNEL_ORIGINATE', 'CHANNEL_ORIGINATE', sofiaOut],
  ['CHANNEL_PROGRESS', 'CHANNEL_PROGRESS', sofiaIn],
  ['CHANNEL_PROGRESS--bleg', 'CHANNEL_PROGRESS', sofiaOut],
  ['CHANNEL_ANSWER', 'CHANNEL_ANSWER', (e) => sofiaIn(e) && e.get('Caller-Destination-Number') === '1001'],
  ['CHANNEL_ANSWER--bleg', 'CHANNEL_ANSWER', sofiaOut],
  ['CHANNEL_BRIDGE', 'CHANNEL_BRIDGE', sofiaIn],
  ['CHANNEL_UNBRIDGE', 'CHANNEL_UNBRIDGE', sofiaIn],
  ['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE', both(sofiaIn, app('bridge'))],
  ['CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_EXECUTE_COMPLETE', both(sofiaIn, app('bridge'))],
  ['CHANNEL_HANGUP', 'CHANNEL_HANGUP', (e) => sofiaIn(e) && e.get('Caller-Destination-Number') === '1001'],
  ['CHANNEL_HANGUP--bleg', 'CHANNEL_HANGUP', sofiaOut],
  ['CHANNEL_HANGUP_COMPLETE', 'CHANNEL_HANGUP_COMPLETE', (e) => sofiaIn(e) && e.get('Caller-Destination-Number') === '1001'],
  ['CHANNEL_HANGUP_COMPLETE--bleg', 'CHANNEL_HANGUP_COMPLETE', sofiaOut],
  ['CHANNEL_DESTROY', 'CHANNEL_DESTROY', (e) => sofiaIn(e) && e.get('Caller-Destination-Number') === '1001'],
  ['CHANNEL_PARK', 'CHANNEL_PARK', sofiaIn],
  ['CHANNEL_UNPARK', 'CHANNEL_UNPARK', sofiaIn],
  ['CHANNEL_EXECUTE--park', 'CHANNEL_EXECUTE', both(sofiaIn, app('park'))],
  ['PLAYBACK_START', 'PLAYBACK_START', sofiaIn],
  ['PLAYBACK_STOP', 'PLAYBACK_STOP', sofiaIn],
  ['CUSTOM--sofia__register', 'CUSTOM', (e) => e.subclass === 'sofia::register' && e.get('username') === '1000'],
  ['CUSTOM--sofia__unregister', 'CUSTOM', (e) => e.subclass === 'sofia::unregister'],
  ['CUSTOM--sofia__expire', 'CUSTOM', (e) => e.subclass === 'sofia::expire'],
  ['CUSTOM--sofia__register_failure', 'CUSTOM', (e) => e.subclass === 'sofia::register_failure'],
  ['CUSTOM--sofia__pre_register', 'CUSTOM', (e) => e.subclass === 'sofia::pre_register'],
  ['CUSTOM--sofia__register_attempt', 'CUSTOM', (e) => e.subclass === 'sofia::register_attempt'],
  ['DTMF', 'DTMF', (e) => e.get('DTMF-Digit') === '1'],
  ['DTMF--during-park', 'DTMF', (e) => e.get('DTMF-Digit') === '5'],
  ['HEARTBEAT', 'HEARTBEAT', () => true],
  ['RE_SCHEDULE', 'RE_SCHEDULE', () => true],
  ['API', 'API', (e) => e.get('API-Command') === 'status'],
];

describe('event header sets match the captured FreeSWITCH events', { skip: sharedSkip, timeout: 30_000 }, () => {
  test('a scenario like the capture produces every event type with the captured header names', async () => {
    const xml = await new TestXmlCurlServer((p) => {
      const user = p.get('user');
      const dest = p.get('Caller-Destination-Number');
      if (p.get('section') === 'directory' && user === '1000') return xmlCurlFile('directory--sip_auth-REGISTER--reg-1000');
      if (p.get('section') === 'directory' && user === '1001') return xmlCurlFile('directory--user_call-1001');
      if (p.get('section') === 'dialplan' && dest === '1001') return xmlCurlFile('dialplan--1001--uac-1000-to-1001');
      if (p.get('section') === 'dialplan' && dest === '9999') return xmlCurlFile('dialplan--9999--uac-1000-to-9999');
      return NOT_FOUND;
    }).start();
    const clock = new VirtualClock();
    const node = new SimNode({
      hostname: 'fs-capture',
      clock,
      xmlCurl: { url: xml.url },
      endpoints: [
        { user: '1000', domain: '127.0.0.1', password: '1234', callerIdName: 'Extension 1000' },
        { user: '1001', domain: '127.0.0.1', password: '1234', behaviour: { kind: 'answer', afterS: 0.5 } },
      ],
    });
    const events: FsEvent[] = [];
    node.onEvent((e) => events.push(e));
    try {
      await node.start();
      await node.api('status', '');
      const phone = node.phone('1000');
      assert.equal(await phone.register(3600, 'bad'), 'forbidden');
      const rejected = await phone.call('1001', { password: 'bad' });
      assert.equal(await rejected.done, 'CALL_REJECTED');
      const bridged = await phone.call('1001');
      await clock.advance(3000);
      bridged.dtmf('1');
      bridged.hangup();
      await clock.advance(100);
      const parked = await phone.call('5555');
      await clock.advance(100);
      parked.dtmf('5');
      await node.api('originate', 'loopback/9999/default &park()');
      node.channel(parked.uuid)?.hangup('NORMAL_CLEARING');
      await phone.call('9999');
      await clock.advance(5000);
      phone.unregister();
      await phone.register(10);
      await clock.advance(80_000);

      const problems: string[] = [];
      for (const [file, name, pick] of CASES) {
        const ours = events.find((e) => e.name === name && pick(e));
        if (!ours) {
          problems.push(`${file}: the simulator produced no such event`);
          continue;
        }
        const want = names(Object.keys(capturedEvent(file)));
        const got = names(ours.headers.map(([k]) => k));
        const missing = want.filter((k) => !got.includes(k));
        const extra = got.filter((k) => !want.includes(k));
        if (missing.length || extra.length) problems.push(`${file}: missing [${missing.join(' ')}] extra [${extra.join(' ')}]`);
      }
      assert.deepEqual(problems, []);

      // The dialplan POST: same fields as mod_xml_curl sent for the captured call to 1001 (variables aside).
      const keys = (body: string): string[] => body.split('&').map((p) => p.split('=')[0]!).filter((k) => !k.startsWith('variable_'));
      const capturedBody = readFileSync(fixturePath('freeswitch/xml-curl/dialplan--1001--uac-1000-to-1001.txt'), 'utf8');
      const ours = node.xmlCurl.exchanges.find((x) => x.section === 'dialplan' && x.body.includes('Caller-Destination-Number=1001'));
      assert.ok(ours, 'a dialplan request for 1001');
      assert.deepEqual(keys(ours.body), keys(capturedBody));
      const userCall = node.xmlCurl.exchanges.find((x) => x.body.includes('action=user_call'));
      const capturedUserCall = readFileSync(fixturePath('freeswitch/xml-curl/directory--user_call-1001.txt'), 'utf8');
      assert.deepEqual(keys(userCall?.body ?? ''), keys(capturedUserCall));
    } finally {
      await node.stop();
      await xml.stop();
    }
  });
});
