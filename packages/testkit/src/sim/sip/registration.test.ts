import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fixturePath, sharedSkip } from '../../shared-fixtures.js';
import { VirtualClock } from '../clock.js';
import type { FsEvent } from '../event.js';
import { SimNode } from '../node.js';
import { directoryXml, NOT_FOUND, TestXmlCurlServer } from '../test-support/xml-curl-server.js';
import { md5 } from './digest.js';

const DOMAIN = '127.0.0.1';

describe('registration through mod_xml_curl', { timeout: 30_000 }, () => {
  let xml: TestXmlCurlServer;
  let node: SimNode;
  let clock: VirtualClock;
  const events: FsEvent[] = [];

  before(async () => {
    xml = await new TestXmlCurlServer((p) => {
      const user = p.get('user');
      if (p.get('section') !== 'directory') return NOT_FOUND;
      if (user === '1000') return directoryXml(DOMAIN, { id: '1000', password: '1234', variables: { account_id: 'acct-0001' } });
      if (user === '1001') return directoryXml(DOMAIN, { id: '1001', a1Hash: md5(`1001:${DOMAIN}:1234`) });
      return NOT_FOUND;
    }).start();
    clock = new VirtualClock();
    node = new SimNode({
      hostname: 'fs-reg',
      clock,
      xmlCurl: { url: xml.url, credentials: 'fife:secret' },
      endpoints: [
        { user: '1000', domain: DOMAIN, password: '1234', register: false },
        { user: '1001', domain: DOMAIN, password: '1234', register: false },
        { user: '1002', domain: DOMAIN, password: '1234', register: false },
      ],
    });
    node.onEvent((e) => events.push(e));
    await node.start();
  });
  after(async () => {
    await node.stop();
    await xml.stop();
  });

  const custom = (subclass: string): FsEvent[] => events.filter((e) => e.subclass === subclass);

  test('a password user registers; the POST is a form with basic auth and the sip_auth fields', async () => {
    assert.equal(await node.phone('1000').register(), 'registered');
    const req = xml.requests.at(-1)!;
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(req.headers['user-agent'], 'freeswitch-xml/1.0');
    assert.equal(req.headers['authorization'], `Basic ${Buffer.from('fife:secret').toString('base64')}`);
    assert.equal(req.params.get('action'), 'sip_auth');
    assert.equal(req.params.get('sip_auth_method'), 'REGISTER');
    assert.equal(req.params.get('key_value'), DOMAIN);
    const reg = custom('sofia::register').at(-1)!;
    assert.equal(reg.get('username'), '1000');
    assert.equal(reg.get('account_id'), 'acct-0001');
    assert.equal(reg.headers[0]![0], 'Event-Subclass', 'Event-Subclass comes before Event-Name');
  });

  test('an a1-hash user registers, a wrong password and an unknown user are refused', async () => {
    assert.equal(await node.phone('1001').register(), 'registered');
    const failuresBefore = custom('sofia::register_failure').length;
    assert.equal(await node.phone('1000').register(3600, 'wrong'), 'forbidden');
    assert.equal(await node.phone('1002').register(), 'not-found');
    assert.equal(custom('sofia::register_failure').length, failuresBefore + 2);
    const rows = JSON.parse(await node.api('show', 'registrations as json')) as { row_count: number; rows: Array<{ reg_user: string }> };
    assert.deepEqual(rows.rows.map((r) => r.reg_user).sort(), ['1000', '1001']);
  });

  test('unregister fires sofia::unregister; an unrefreshed contact expires after Expires + 60 s', async () => {
    node.phone('1000').unregister();
    assert.equal(custom('sofia::unregister').at(-1)?.get('username'), '1000');
    assert.equal(await node.phone('1000').register(10), 'registered');
    await clock.advance(69_000);
    assert.equal(custom('sofia::expire').length, 0);
    await clock.advance(1_000);
    const expired = custom('sofia::expire');
    assert.equal(expired.length, 1);
    assert.equal(expired[0]!.get('user'), '1000');
    assert.equal(node.registrar.contacts('1000', DOMAIN).length, 0);
  });

  test('sofia::register and the directory POST carry the captured header and field sets', { skip: sharedSkip }, () => {
    const captured = JSON.parse(readFileSync(fixturePath('freeswitch/events/CUSTOM--sofia__register.json'), 'utf8')) as Record<string, string>;
    const ours = custom('sofia::register').find((e) => e.get('username') === '1000')!;
    assert.deepEqual(ours.headers.map(([k]) => k), Object.keys(captured).filter((k) => !['user_context', 'effective_caller_id_name', 'effective_caller_id_number', 'account_id'].includes(k)).concat(['user_context', 'account_id']));
    const body = readFileSync(fixturePath('freeswitch/xml-curl/directory--sip_auth-REGISTER--reg-1000.txt'), 'utf8');
    const keys = (s: string): string[] => s.split('&').map((p) => p.split('=')[0]!);
    const ourRegister = xml.requests.find((r) => r.params.get('user') === '1000' && r.params.get('sip_auth_method') === 'REGISTER')!;
    assert.deepEqual(keys(ourRegister.body), keys(body));
  });
});

describe('digest check', { timeout: 30_000 }, () => {
  test('reproduces the captured sipp REGISTER digest for 1000/1234', { skip: sharedSkip }, async () => {
    const { digestResponse, ha1Of } = await import('./digest.js');
    const p = new URLSearchParams(readFileSync(fixturePath('freeswitch/xml-curl/directory--sip_auth-REGISTER--reg-1000.txt'), 'utf8'));
    const response = digestResponse(ha1Of('1000', p.get('sip_auth_realm')!, '1234'), {
      method: 'REGISTER', uri: p.get('sip_auth_uri')!, nonce: p.get('sip_auth_nonce')!, nc: p.get('sip_auth_nc')!,
      cnonce: p.get('sip_auth_cnonce')!, qop: p.get('sip_auth_qop')!,
    });
    assert.equal(response, p.get('sip_auth_response'));
  });
});
