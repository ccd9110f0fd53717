import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { authn, encodeSegment, route, type MessageOf } from '@fife/api';
import { handler } from '@fife/bus';
import { sharedSkip } from '@fife/testkit';
import { attrs, capturedBody, post, startEcallmgr, startPeer, type TestEcallmgr } from '../test-support.js';

const realm = `xc-${nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}.example.com`;
const account = `acct${nanoid(10).replace(/[^A-Za-z0-9]/g, 'x')}`;
const auth = { authorization: `Basic ${Buffer.from('fs:s3cret').toString('base64')}` };

describe('mod_xml_curl endpoint (real HTTP, real RabbitMQ)', { skip: sharedSkip }, () => {
  let ecallmgr: TestEcallmgr;
  let peer: Awaited<ReturnType<typeof startPeer>>;
  const authnSeen: MessageOf<typeof authn.req>[] = [];
  const routeSeen: MessageOf<typeof route.req>[] = [];

  before(async () => {
    peer = await startPeer('registrar');
    await peer.consume({
      queue: `test-ecallmgr-authn-${nanoid(6)}`,
      exclusive: true,
      bindings: [{ exchange: 'callmgr', key: `authn.req.${encodeSegment(realm)}` }],
      handlers: [
        handler(authn.req, async (msg, ctx) => {
          authnSeen.push(msg);
          const user = msg['Auth-User'];
          if (user === 'slow') return;
          if (user === 'nobody') return ctx.reply(authn.err, {});
          if (user === 'plain') return ctx.reply(authn.resp, { 'Auth-Method': 'password', 'Auth-Password': 'pw$1' });
          if (user === 'ipauth') return ctx.reply(authn.resp, { 'Auth-Method': 'ip', 'Auth-Password': 'x' });
          await ctx.reply(authn.resp, {
            'Auth-Method': 'a1-hash',
            'Auth-Password': '0123456789abcdef0123456789abcdef',
            'Custom-Channel-Vars': { 'Account-ID': account, 'Authorizing-ID': 'dev1', 'Account-Name': 'Evil ${system(id)} <x>' },
          });
        }),
      ],
    });
    await peer.consume({
      queue: `test-ecallmgr-route-${nanoid(6)}`,
      exclusive: true,
      bindings: [{ exchange: 'callmgr', key: `route.req.audio.${account}` }],
      handlers: [
        handler(route.req, async (msg, ctx) => {
          routeSeen.push(msg);
          const dest = msg['Destination-Number'];
          if (dest === 'slow') return;
          if (dest === '404') return ctx.reply(route.resp, { Method: 'error', 'Route-Error-Code': '404', 'Route-Error-Message': 'Not here' });
          if (dest === 'park') return ctx.reply(route.resp, { Method: 'park', Routes: [] });
          await ctx.reply(route.resp, {
            Method: 'bridge',
            Routes: [
              { 'Invite-Format': 'username', 'To-User': dest, 'To-Realm': realm, 'Caller-ID-Name': msg['Caller-ID-Name'], 'Custom-Channel-Vars': { 'Endpoint-Timeout': 20 } },
              { 'Invite-Format': 'route', Route: 'sip:voicemail@vm.example.com' },
            ],
            'Custom-Channel-Vars': { 'Account-ID': account },
          });
        }),
      ],
    });
    ecallmgr = await startEcallmgr({
      ECALLMGR_AUTHN_TIMEOUT_MS: '400',
      ECALLMGR_ROUTE_TIMEOUT_MS: '500',
      ECALLMGR_XMLCURL_USER: 'fs',
      ECALLMGR_XMLCURL_PASSWORD: 's3cret',
    });
  });
  after(async () => {
    await ecallmgr?.stop();
    await peer?.stop();
  });

  /** The captured REGISTER digest request, moved to this test's realm and user. */
  const register = (user: string) =>
    capturedBody('directory--sip_auth-REGISTER--reg-1000-short', (p) => {
      for (const k of ['key_value', 'sip_auth_realm', 'sip_to_host', 'sip_from_host', 'sip_contact_host', 'sip_request_host', 'domain']) p.set(k, realm);
      for (const k of ['sip_auth_username', 'sip_contact_user', 'sip_to_user', 'sip_from_user', 'user']) p.set(k, user);
    });

  test('basic auth is required when configured', async () => {
    const none = await post(ecallmgr.url, register('1000'));
    assert.equal(none.status, 401);
    const wrong = await post(ecallmgr.url, register('1000'), { authorization: `Basic ${Buffer.from('fs:nope').toString('base64')}` });
    assert.equal(wrong.status, 401);
  });

  test('sip_auth → authn_req (fields of §7.1) → directory XML with a1-hash and ecallmgr_ variables', async () => {
    const res = await post(ecallmgr.url, register('1000'), auth);
    assert.equal(res.status, 200);
    const req = authnSeen.find((m) => m['Auth-User'] === '1000')!;
    assert.equal(req['Auth-Realm'], realm);
    assert.equal(req['Auth-Nonce'], '1760b1e1-5534-44e0-bbd9-988b790e7bca');
    assert.equal(req['Call-ID'], '1-23468@127.0.0.1');
    assert.equal(req.To, `1000@${realm}`);
    assert.deepEqual(attrs(res.text, 'domain', 'name'), [realm]);
    assert.deepEqual(attrs(res.text, 'user', 'id'), ['1000']);
    const params = attrs(res.text, 'param', 'name');
    assert.ok(params.includes('a1-hash') && !params.includes('password'), params.join());
    const vars = Object.fromEntries(attrs(res.text, 'variable', 'name').map((n, i) => [n, attrs(res.text, 'variable', 'value')[i]]));
    assert.equal(vars['ecallmgr_Account-ID'], account);
    assert.equal(vars['ecallmgr_Account-Name'], 'Evil {system(id)} <x>', 'no expansion can form from a CCV');
  });

  test('password method → password param; ip method → not found', async () => {
    const res = await post(ecallmgr.url, register('plain'), auth);
    assert.deepEqual(attrs(res.text, 'param', 'name').slice(-1), ['password']);
    assert.equal(attrs(res.text, 'param', 'value').at(-1), 'pw$1');
    const ip = await post(ecallmgr.url, register('ipauth'), auth);
    assert.deepEqual(attrs(ip.text, 'result', 'status'), ['not found']);
  });

  test('authn_err → not found at once; no answer → not found after the timeout, never a hang', async () => {
    const err = await post(ecallmgr.url, register('nobody'), auth);
    assert.deepEqual(attrs(err.text, 'result', 'status'), ['not found']);
    assert.ok(err.ms < 350, `authn_err took ${err.ms} ms`);
    const slow = await post(ecallmgr.url, register('slow'), auth);
    assert.deepEqual(attrs(slow.text, 'result', 'status'), ['not found']);
    assert.ok(slow.ms >= 380 && slow.ms < 1500, `timeout answer after ${slow.ms} ms`);
  });

  test('lookups that are not ours (gateways at profile start) get not found without AMQP', async () => {
    const before = authnSeen.length;
    const res = await post(ecallmgr.url, capturedBody('directory--gateways--notfound'), auth);
    assert.deepEqual(attrs(res.text, 'result', 'status'), ['not found']);
    assert.equal(authnSeen.length, before);
  });

  test('hostile user names stay data: well-formed XML, attribute round-trips', async () => {
    const evil = `1000"/><user id="x`;
    // Not a safe SIP user, but FreeSWITCH asked for it: the entry is for exactly that id, nothing else.
    const res = await post(ecallmgr.url, register(evil), auth);
    assert.deepEqual(attrs(res.text, 'user', 'id'), [evil]);
    assert.equal((res.text.match(/<user /g) ?? []).length, 1);
  });

  /** The captured dialplan request for 1000 → 1001, with this test's account and a destination. */
  const dialplanBody = (dest: string, callerName = 'Extension 1000') =>
    capturedBody('dialplan--1001--uac-1000-to-1001', (p) => {
      p.set('variable_ecallmgr_Account-ID', account);
      for (const k of ['Caller-Destination-Number', 'Hunt-Destination-Number']) p.set(k, dest);
      p.set('Caller-Caller-ID-Name', callerName);
    });

  test('dialplan → route_req (Call-ID = channel UUID, Msg-ID = fetch id) → bridge XML', async () => {
    const res = await post(ecallmgr.url, dialplanBody('1001'), auth);
    assert.equal(res.status, 200);
    const req = routeSeen.find((m) => m['Destination-Number'] === '1001')!;
    assert.equal(req['Call-ID'], '05e3c42c-2a2d-49b8-b03b-8ddb9be8bac3');
    assert.equal((req['Custom-Channel-Vars'] as Record<string, unknown>)['Fetch-ID'], req['Msg-ID']);
    assert.equal(req.From, '1000@127.0.0.1');
    assert.equal(req.Context, 'default');
    assert.deepEqual(attrs(res.text, 'context', 'name'), ['default']);
    const bridges = attrs(res.text, 'action', 'data').filter((d) => d.includes('user/') || d.includes('sofia/'));
    assert.deepEqual(bridges, [`[leg_timeout=20,origination_caller_id_name='Extension 1000']user/1001@${realm}`, 'sofia/internal/sip:voicemail@vm.example.com']);
  });

  test('a hostile caller name in the route cannot add legs or expansions', async () => {
    const res = await post(ecallmgr.url, dialplanBody('1002', `Eve],sofia/gateway/evil/900|\${system(id)}`), auth);
    const bridge = attrs(res.text, 'action', 'data').find((d) => d.includes('user/1002'))!;
    assert.ok(!bridge.includes('$') && !bridge.includes('evil/900,') && !bridge.includes('|'), bridge);
    assert.equal(bridge.slice(bridge.lastIndexOf(']') + 1), `user/1002@${realm}`);
  });

  test('error → respond with the code; no responder in time → respond 480 (explicit, not a hang)', async () => {
    const err = await post(ecallmgr.url, dialplanBody('404'), auth);
    assert.deepEqual(attrs(err.text, 'action', 'data'), ['404 Not here']);
    const slow = await post(ecallmgr.url, dialplanBody('slow'), auth);
    assert.deepEqual(attrs(slow.text, 'action', 'application'), ['respond']);
    assert.deepEqual(attrs(slow.text, 'action', 'data'), ['480 No route in time']);
    assert.ok(slow.ms >= 480 && slow.ms < 1500, `${slow.ms} ms`);
  });

  test('park without an ESL connection to the node → 503 (nobody could control the call)', async () => {
    const res = await post(ecallmgr.url, dialplanBody('park'), auth);
    assert.deepEqual(attrs(res.text, 'action', 'data'), ['503 No call control for this node']);
  });

  test('garbage, oversized and GET requests: always a clear answer, the process keeps serving', async () => {
    const garbage = await post(ecallmgr.url, '%%%\u0000&&==section=dialplan&Unique-ID=', auth);
    assert.equal(garbage.status, 200);
    assert.deepEqual(attrs(garbage.text, 'result', 'status'), ['not found']);
    const big = await post(ecallmgr.url, `section=directory&x=${'a'.repeat(1_100_000)}`, auth);
    assert.equal(big.status, 413);
    const get = await fetch(`${ecallmgr.url}?${register('1000')}`, { headers: auth });
    assert.deepEqual(attrs(await get.text(), 'param', 'name').slice(-1), ['a1-hash']);
    const put = await fetch(ecallmgr.url, { method: 'PUT', body: 'x', headers: auth });
    assert.equal(put.status, 405);
  });

  test('metrics count fetches by section and outcome', async () => {
    const text = await (await fetch(`${ecallmgr.app.httpUrl}/metrics`)).text();
    assert.match(text, /fife_ecallmgr_fetch_seconds_count\{[^}]*section="directory"[^}]*outcome="found"[^}]*\} [1-9]/);
    assert.match(text, /fife_ecallmgr_fetch_seconds_count\{[^}]*section="dialplan"[^}]*outcome="timeout"[^}]*\} 1/);
  });
});
