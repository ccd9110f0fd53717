import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VirtualClock } from '../clock.js';
import type { FsEvent } from '../event.js';
import { SimNode } from '../node.js';
import { dialplanXml, directoryXml, NOT_FOUND, TestXmlCurlServer } from '../test-support/xml-curl-server.js';
import type { RingLog } from './ring-log.js';

const D = '127.0.0.1';
const DIAL_STRING = '{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}';

/** Extensions the in-test xml_curl server routes; each test dials one of them. */
const PLANS: Record<string, Array<[string, string]>> = {
  '2000': [['set', 'hangup_after_bridge=true'], ['bridge', '{ignore_early_media=true}[leg_timeout=10]user/1001@127.0.0.1,[leg_delay_start=10]user/1003@127.0.0.1']],
  '2001': [['bridge', 'user/1002@127.0.0.1|user/1003@127.0.0.1']],
  '2002': [['bridge', 'user/1001@127.0.0.1|user/1003@127.0.0.1:_:user/1004@127.0.0.1']],
  '2003': [['set', 'continue_on_fail=NO_ANSWER,USER_BUSY,ALLOTTED_TIMEOUT'], ['set', 'call_timeout=8'], ['bridge', 'user/1001@127.0.0.1'], ['bridge', 'user/1003@127.0.0.1']],
  '2004': [['answer', ''], ['park', '']],
  '2005': [['hangup', 'USER_BUSY']],
  '2006': [['bridge', 'user/1999@127.0.0.1']],
  '2007': [['bridge', 'user/1005@127.0.0.1']],
  '2008': [['bridge', 'error/user_busy']],
  '2009': [['bridge', '[leg_delay_start=5]user/1001@127.0.0.1,[leg_delay_start=8]user/1003@127.0.0.1']],
  '2010': [['bridge', 'user/1002@127.0.0.1,[leg_delay_start=20]user/1003@127.0.0.1']],
  '2011': [['bridge', 'loopback/2012/default']],
  '2012': [['bridge', 'user/1003@127.0.0.1']],
  '2013': [['bridge', 'user/1006@127.0.0.1']],
  '2014': [['bridge', '[leg_timeout=5]user/1006@127.0.0.1,user/1002@127.0.0.1']],
  '2015': [['kz_multiset', '^^|x=1|y=2'], ['export', 'exported=yes'], ['transfer', '2016 XML default'], ['hangup', 'CALL_REJECTED']],
  '2016': [['log', 'INFO moved'], ['bridge', 'user/1003@127.0.0.1']],
  '2017': [['respond', '486 Busy Here']],
};

function plans(): string {
  return dialplanXml('default', Object.entries(PLANS).map(([dest, actions]) => ({ name: `x${dest}`, expression: `^${dest}$`, actions })));
}

const summary = (log: RingLog | undefined): Array<[string | undefined, number, number | undefined, string, string | undefined]> =>
  (log?.attempts ?? []).map((a) => [a.endpoint ?? a.target, a.startS, a.endS, a.outcome, a.cause]);

describe('calls: dialplan, bridge dial strings and ring logs (virtual clock, exact timers)', { timeout: 30_000 }, () => {
  let xml: TestXmlCurlServer;
  let node: SimNode;
  const clock = new VirtualClock();
  const events: FsEvent[] = [];

  before(async () => {
    xml = await new TestXmlCurlServer((p) => {
      if (p.get('section') === 'dialplan') {
        return /^20(0\d|1[0-7])$/.test(p.get('Caller-Destination-Number') ?? '') ? plans() : NOT_FOUND;
      }
      const user = p.get('user') ?? '';
      if (['1000', '1001', '1002', '1003', '1004', '1005', '1006'].includes(user)) {
        return directoryXml(D, { id: user, password: 'pw' + user, variables: { account_id: 'acct-1' } }, DIAL_STRING);
      }
      return NOT_FOUND;
    }).start();
    node = new SimNode({
      hostname: 'fs-calls',
      clock,
      granularity: 'exact',
      xmlCurl: { url: xml.url },
      endpoints: [
        { user: '1000', domain: D, password: 'pw1000' },
        { user: '1001', domain: D, password: 'pw1001', behaviour: { kind: 'noanswer' } },
        { user: '1002', domain: D, password: 'pw1002', behaviour: { kind: 'busy' } },
        { user: '1003', domain: D, password: 'pw1003', behaviour: { kind: 'answer', afterS: 3 } },
        { user: '1004', domain: D, password: 'pw1004', behaviour: { kind: 'answer', afterS: 6 } },
        { user: '1005', domain: D, password: 'pw1005', register: false },
        { user: '1006', domain: D, password: 'pw1006', behaviour: { kind: 'noanswer' }, port: 16001 },
        { user: '1006', domain: D, password: 'pw1006', behaviour: { kind: 'answer', afterS: 4 }, port: 16002 },
      ],
    });
    node.onEvent((e) => events.push(e));
    await node.start();
  });
  after(async () => {
    await node.stop();
    await xml.stop();
  });

  async function place(dest: string, runS: number): Promise<{ log: RingLog | undefined; uuid: string; cause: string | undefined }> {
    const call = await node.phone('1000').call(dest);
    await clock.advance(runS * 1000);
    return { log: call.ringLog(), uuid: call.uuid, cause: call.channel.hangupCause };
  }

  test('a,b with leg_timeout and leg_delay_start: 1001 rings 0-10 s, 1003 from 10 s and answers at 13 s', async () => {
    const { log, uuid } = await place('2000', 20);
    assert.deepEqual(summary(log), [
      ['1001@127.0.0.1', 0, 10, 'failed', 'ALLOTTED_TIMEOUT'],
      ['1003@127.0.0.1', 10, 13, 'answered', undefined],
    ]);
    assert.equal(log?.answeredBy, '1003@127.0.0.1');
    assert.equal(log?.answeredS, 13);
    const bridge = events.find((e) => e.name === 'CHANNEL_BRIDGE' && e.get('Unique-ID') === uuid);
    assert.ok(bridge, 'CHANNEL_BRIDGE on the A leg');
    const b = events.find((e) => e.name === 'CHANNEL_ANSWER' && e.get('Other-Leg-Unique-ID') === uuid);
    assert.equal(b?.get('Other-Type'), 'originator');
    assert.equal(bridge.get('Bridge-B-Unique-ID'), b?.get('Unique-ID'));
    node.phone('1000').calls.at(-1)!.hangup();
    await clock.advance(1000);
    const complete = events.filter((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && [uuid, b?.get('Unique-ID')].includes(e.get('Unique-ID')));
    assert.deepEqual(complete.map((e) => e.get('Hangup-Cause')), ['NORMAL_CLEARING', 'NORMAL_CLEARING']);
  });

  test('a|b: busy 1002 fails at once, 1003 rings next and answers 3 s later', async () => {
    const { log } = await place('2001', 10);
    assert.deepEqual(summary(log), [
      ['1002@127.0.0.1', 0, 0, 'failed', 'USER_BUSY'],
      ['1003@127.0.0.1', 0, 3, 'answered', undefined],
    ]);
    node.phone('1000').calls.at(-1)!.hangup();
    await clock.advance(1000);
  });

  test(':_: enterprise: parts race; the first answer wins and the other part loses the race', async () => {
    const { log } = await place('2002', 10);
    const rows = summary(log);
    assert.deepEqual(rows.find((r) => r[0] === '1004@127.0.0.1'), ['1004@127.0.0.1', 0, 6, 'answered', undefined]);
    assert.deepEqual(rows.find((r) => r[0] === '1001@127.0.0.1'), ['1001@127.0.0.1', 0, 6, 'cancelled', 'LOSE_RACE']);
    assert.equal(log?.answeredBy, '1004@127.0.0.1');
    node.phone('1000').calls.at(-1)!.hangup();
    await clock.advance(1000);
  });

  test('continue_on_fail: call_timeout ends the first bridge with NO_ANSWER, the second bridge rings 1003', async () => {
    const { log } = await place('2003', 15);
    assert.deepEqual(summary(log), [
      ['1001@127.0.0.1', 0, 8, 'cancelled', 'NO_ANSWER'],
      ['1003@127.0.0.1', 8, 11, 'answered', undefined],
    ]);
    node.phone('1000').calls.at(-1)!.hangup();
    await clock.advance(1000);
  });

  test('park: CHANNEL_PARK, then the call stays until hung up over the API', async () => {
    const { uuid } = await place('2004', 5);
    assert.ok(events.some((e) => e.name === 'CHANNEL_PARK' && e.get('Unique-ID') === uuid));
    assert.equal(node.channel(uuid)?.isUp, true);
    assert.equal(await node.api('uuid_kill', `${uuid} USER_BUSY`), '+OK\n');
    await clock.advance(100);
    const complete = events.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.get('Unique-ID') === uuid);
    assert.equal(complete?.get('Hangup-Cause'), 'USER_BUSY');
    assert.ok(events.some((e) => e.name === 'CHANNEL_UNPARK' && e.get('Unique-ID') === uuid));
  });

  test('hangup action and failure causes: USER_BUSY, SUBSCRIBER_ABSENT, USER_NOT_REGISTERED, error/ endpoint', async () => {
    assert.equal((await place('2005', 1)).cause, 'USER_BUSY');
    assert.equal((await place('2006', 1)).cause, 'SUBSCRIBER_ABSENT');
    assert.equal((await place('2007', 1)).cause, 'USER_NOT_REGISTERED');
    assert.equal((await place('2008', 1)).cause, 'USER_BUSY');
  });

  test('a destination the responder does not know falls back to the static dialplan (park)', async () => {
    const { uuid } = await place('5555', 1);
    assert.ok(events.some((e) => e.name === 'CHANNEL_PARK' && e.get('Unique-ID') === uuid));
    node.channel(uuid)?.hangup('NORMAL_CLEARING');
    await clock.advance(100);
  });

  test('fast-forward: a group of only delayed legs starts the earliest at once, later ones keep group-relative offsets', async () => {
    const { log } = await place('2009', 10);
    assert.deepEqual(summary(log), [
      ['1001@127.0.0.1', 0, 6, 'cancelled', 'LOSE_RACE'],
      ['1003@127.0.0.1', 3, 6, 'answered', undefined],
    ]);
    node.phone('1000').calls.at(-1)!.hangup();
    await clock.advance(1000);
  });

  test('fast-forward after a reject: the delayed leg starts as soon as nothing rings', async () => {
    const { log } = await place('2010', 10);
    assert.deepEqual(summary(log), [
      ['1002@127.0.0.1', 0, 0, 'failed', 'USER_BUSY'],
      ['1003@127.0.0.1', 0, 3, 'answered', undefined],
    ]);
    node.phone('1000').calls.at(-1)!.hangup();
    await clock.advance(1000);
  });

  test('loopback/<ext> re-enters the dialplan; the inner bridge rings on the same call log', async () => {
    const { log, uuid } = await place('2011', 10);
    assert.deepEqual(summary(log).map((r) => r[0]), ['loopback/2012/default', '1003@127.0.0.1']);
    assert.equal(log?.answeredBy, '1003@127.0.0.1');
    assert.equal(node.channel(uuid)?.answered, true);
    node.phone('1000').calls.at(-1)!.hangup();
    await clock.advance(1000);
    assert.equal(node.engine.channels.size, 0, 'every channel is destroyed');
  });

  test('user/ of a user with two registrations rings both contacts; inside a forked dial only the first', async () => {
    const single = await place('2013', 6);
    assert.deepEqual(single.log?.attempts.map((a) => [a.uuid && node.channel(a.uuid) ? 'up' : 'gone', a.startS, a.endS, a.outcome]), [
      ['gone', 0, 4, 'cancelled'],
      ['up', 0, 4, 'answered'],
    ]);
    assert.equal(node.registrar.contacts('1006', D).length, 2);
    node.phone('1000').calls.at(-1)!.hangup();
    await clock.advance(1000);
    const forked = await place('2014', 6);
    assert.deepEqual(summary(forked.log), [
      ['1006@127.0.0.1', 0, 5, 'failed', 'ALLOTTED_TIMEOUT'],
      ['1002@127.0.0.1', 0, 0, 'failed', 'USER_BUSY'],
    ]);
    assert.equal(forked.cause, 'ALLOTTED_TIMEOUT', "the first leg's cause");
  });

  test('multiset, export to the B leg, transfer re-fetches the dialplan; respond 486 ends with USER_BUSY', async () => {
    const before = xml.requests.filter((r) => r.params.get('section') === 'dialplan').length;
    const { uuid, log } = await place('2015', 5);
    const fetches = xml.requests.filter((r) => r.params.get('section') === 'dialplan').slice(before);
    assert.deepEqual(fetches.map((r) => r.params.get('Caller-Destination-Number')), ['2015', '2016']);
    assert.equal(fetches[1]?.params.get('variable_x'), '1', 'variables set before the transfer travel with the call');
    const a = node.channel(uuid);
    assert.equal(a?.getVar('y'), '2');
    assert.equal(log?.answeredBy, '1003@127.0.0.1');
    const bUuid = log?.attempts[0]?.uuid;
    assert.equal(bUuid && node.channel(bUuid)?.getVar('exported'), 'yes');
    assert.ok(!events.some((e) => e.name === 'CHANNEL_EXECUTE' && e.get('Unique-ID') === uuid && e.get('Application') === 'hangup'),
      'actions after transfer do not run');
    node.phone('1000').calls.at(-1)!.hangup();
    await clock.advance(1000);
    assert.equal((await place('2017', 1)).cause, 'USER_BUSY');
  });

  test('api originate: user/ legs ring the registered phone; failures come back as -ERR <cause>', async () => {
    const pending = node.api('originate', '{origination_caller_id_number=9000}user/1003@127.0.0.1 &park()');
    await clock.advance(5000);
    const out = await pending;
    assert.match(out, /^\+OK [0-9a-f-]{36}\n$/);
    const leg = node.channel(out.trim().split(' ')[1]!);
    assert.equal(leg?.answered, true);
    assert.equal(leg?.profile.callerIdNumber, '9000');
    assert.ok(events.some((e) => e.name === 'CHANNEL_PARK' && e.get('Unique-ID') === leg?.uuid));
    leg?.hangup('NORMAL_CLEARING');
    assert.equal(await node.api('originate', 'user/1999@127.0.0.1 &park()'), '-ERR SUBSCRIBER_ABSENT\n');
    assert.equal(await node.api('originate', 'user/1002@127.0.0.1 &park()'), '-ERR USER_BUSY\n');
    const timeout = node.api('originate', '{originate_timeout=5}user/1001@127.0.0.1 &park()');
    await clock.advance(6000);
    assert.equal(await timeout, '-ERR NO_ANSWER\n');
  });

  test('the caller hanging up while legs ring cancels them with ORIGINATOR_CANCEL', async () => {
    const call = await node.phone('1000').call('2000');
    await clock.advance(4000);
    call.hangup();
    await clock.advance(100);
    assert.deepEqual(summary(call.ringLog()), [['1001@127.0.0.1', 0, 4, 'cancelled', 'ORIGINATOR_CANCEL']]);
    assert.equal(call.channel.hangupCause, 'ORIGINATOR_CANCEL');
  });
});

describe('FreeSWITCH timer granularity', { timeout: 30_000 }, () => {
  test('a leg planned at s starts in (s, s+1]', async () => {
    const xml = await new TestXmlCurlServer((p) => {
      if (p.get('section') === 'dialplan') return dialplanXml('default', [{ name: 'x', expression: '^3000$', actions: [['bridge', 'user/1001@127.0.0.1,[leg_delay_start=5]user/1003@127.0.0.1']] }]);
      return directoryXml(D, { id: p.get('user') ?? '', password: 'pw' }, DIAL_STRING);
    }).start();
    const clock = new VirtualClock(Date.UTC(2026, 10, 22, 6, 0, 0) + 300);
    const node = new SimNode({
      clock,
      xmlCurl: { url: xml.url },
      endpoints: [
        { user: '1000', domain: D, password: 'pw' },
        { user: '1001', domain: D, password: 'pw', behaviour: { kind: 'noanswer' } },
        { user: '1003', domain: D, password: 'pw', behaviour: { kind: 'noanswer' } },
      ],
    });
    try {
      await node.start();
      const call = await node.phone('1000').call('3000');
      await clock.advance(10_000);
      const started = call.ringLog()!.attempts.find((a) => a.endpoint === '1003@127.0.0.1')!.startS;
      assert.ok(started > 5 && started <= 6, `started at ${started}`);
      call.hangup();
      await clock.advance(100);
    } finally {
      await node.stop();
      await xml.stop();
    }
  });
});
