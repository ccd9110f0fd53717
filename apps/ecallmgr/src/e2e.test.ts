import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { route } from '@fife/api';
import { startSimNode, VirtualClock, type SimNode } from '@fife/testkit';
import { attrs, freePort, startCallPeer, startEcallmgr, waitFor, type CallPeer, type TestEcallmgr } from './test-support.js';

const id = nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
const realm = `e2e-${id}.example.com`;
const account = `acct${id}`;
const passwords: Record<string, string> = { '1000': 'pw1000', '1001': 'pw1001', '1002': 'pw1002', '1003': 'pw1003' };
/** A caller name that tries to add a leg, a variable block and an API expansion to the dial string. */
const hostileName = `Eve],user/1002@${realm}|[x=1]{y=\${system(id)}}:_:user/1002@${realm}`;

describe('ecallmgr end to end: FreeSWITCH simulator + real RabbitMQ', { timeout: 60_000 }, () => {
  const clock = new VirtualClock();
  let node: SimNode;
  let ecallmgr: TestEcallmgr;
  let peer: CallPeer;

  before(async () => {
    peer = await startCallPeer({
      name: `e2e-${id}`,
      realm,
      account,
      password: (user) => passwords[user],
      route: async (msg, ctx, winnerQueue) => {
        const dest = msg['Destination-Number'];
        if (dest === '2000') {
          // Ring 1002 (never answers) and 1001 (answers 3 s after its INVITE) together, 1001 only from 2 s on.
          return ctx.reply(route.resp, {
            Method: 'bridge',
            Routes: [
              { 'Invite-Format': 'username', 'To-User': '1002', 'To-Realm': realm, 'Fife-Step': 0 },
              { 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': realm, 'Fife-Step': 0, 'Custom-Channel-Vars': { 'Endpoint-Delay': 2 } },
            ],
          });
        }
        if (dest === '2001') return ctx.reply(route.resp, { Method: 'park', Routes: [], 'Server-ID': winnerQueue } as never);
        if (dest === '2002') {
          // A forward: 1002 for 5 s, then (continue_on_fail) 1001.
          return ctx.reply(route.resp, {
            Method: 'bridge',
            Routes: [
              { 'Invite-Format': 'username', 'To-User': '1002', 'To-Realm': realm, 'Fife-Step': 0, 'Custom-Channel-Vars': { 'Endpoint-Timeout': 5 } },
              { 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': realm, 'Fife-Step': 1 },
            ],
          });
        }
        if (dest === '2004') {
          // The caller's own name goes into the route, as a router would do for caller-id presentation.
          return ctx.reply(route.resp, {
            Method: 'bridge',
            Routes: [{ 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': realm, 'Caller-ID-Name': msg['Caller-ID-Name'], 'Caller-ID-Number': msg['Caller-ID-Number'] }],
          });
        }
        if (dest === '2003') return ctx.reply(route.resp, { Method: 'error', 'Route-Error-Code': '404', 'Route-Error-Message': 'No route' });
      },
    });
    const port = await freePort();
    node = await startSimNode({
      hostname: `fs-${id}`,
      clock,
      granularity: 'exact',
      xmlCurl: { url: `http://127.0.0.1:${port}/fetch` },
      endpoints: [
        { user: '1000', domain: realm, password: 'pw1000', register: false },
        { user: '1001', domain: realm, password: 'pw1001', register: false, behaviour: { kind: 'answer', afterS: 3 } },
        { user: '1002', domain: realm, password: 'pw1002', register: false, behaviour: { kind: 'noanswer' } },
        { user: '1003', domain: realm, password: 'pw1003', register: false, callerIdName: hostileName },
      ],
    });
    ecallmgr = await startEcallmgr({ ECALLMGR_FS_NODES: `127.0.0.1:${node.port}`, ECALLMGR_XMLCURL_PORT: String(port), ECALLMGR_FS_PASSWORD: 'ClueCon' });
    await waitFor('the ESL connection and the node lease', () => ecallmgr.runtime.pool.nodes[0]!.up && ecallmgr.runtime.owns(ecallmgr.runtime.pool.nodes[0]!.name));
  });
  after(async () => {
    await ecallmgr?.stop();
    await node?.stop();
    await peer?.stop();
  });

  test('/readyz shows the node', async () => {
    const body = (await (await fetch(`${ecallmgr.app.httpUrl}/readyz`)).json()) as { checks: Record<string, boolean> };
    assert.equal(body.checks[`freeswitch:127.0.0.1:${node.port}`], true);
  });

  test('registration: right password registers (reg_success with CCVs), wrong is forbidden, unregister → Expires 0', async () => {
    assert.equal(await node.phone('1000', realm).register(), 'registered');
    const reg = await waitFor('reg_success', () => peer.regs.find((r) => r.Username === '1000' && r.Expires > 0));
    assert.equal(reg.Realm, realm);
    assert.equal((reg['Custom-Channel-Vars'] as Record<string, unknown>)['Account-ID'], account);
    assert.equal(await node.phone('1000', realm).register(3600, 'wrong'), 'forbidden');
    assert.equal(await node.phone('1001', realm).register(), 'registered');
    assert.equal(await node.phone('1002', realm).register(), 'registered');
    await node.phone('1002', realm).unregister();
    await waitFor('unregister', () => peer.regs.find((r) => r.Username === '1002' && r.Expires === 0));
    assert.equal(await node.phone('1002', realm).register(), 'registered');
  });

  test('a call routed by a route responder: `,` legs with leg_delay_start, ring log on the virtual clock', async () => {
    const placed = await node.phone('1000', realm).call('2000');
    await clock.advance(10_000);
    const log = placed.ringLog()!;
    const attempts = log.attempts.map((a) => [a.endpoint, a.startS, a.outcome === 'answered']);
    assert.deepEqual(attempts, [
      [`1002@${realm}`, 0, false],
      [`1001@${realm}`, 2, true],
    ]);
    assert.equal(log.answeredBy, `1001@${realm}`);
    assert.equal(log.answeredS, 5);
    placed.hangup();
    await clock.advance(1000);
    const mine = (name: string) => peer.events.find((e) => e['Event-Name'] === name && e['Call-ID'] === placed.uuid);
    const created = await waitFor('CHANNEL_CREATE', () => mine('CHANNEL_CREATE'));
    assert.equal((created['Custom-Channel-Vars'] as Record<string, unknown>)['Account-ID'], account, 'CCVs from the directory come back');
    await waitFor('CHANNEL_ANSWER', () => mine('CHANNEL_ANSWER'));
    await waitFor('CHANNEL_DESTROY', () => mine('CHANNEL_DESTROY'));
  });

  test('multi-step plan: the first step times out (leg_timeout), continue_on_fail goes on to the next', async () => {
    const placed = await node.phone('1000', realm).call('2002');
    await clock.advance(15_000);
    const log = placed.ringLog()!;
    assert.deepEqual(
      log.attempts.map((a) => [a.endpoint, a.startS, a.outcome === 'answered']),
      [
        [`1002@${realm}`, 0, false],
        [`1001@${realm}`, 5, true],
      ],
    );
    assert.equal(log.answeredS, 8);
    placed.hangup();
    await clock.advance(1000);
  });

  test('an error answer ends the call with the matching cause, and nobody is rung', async () => {
    const placed = await node.phone('1000', realm).call('2003');
    await clock.advance(1000);
    const cause = await placed.done;
    assert.match(cause, /UNALLOCATED_NUMBER|NO_ROUTE_DESTINATION/);
    assert.equal(placed.ringLog()?.attempts.length ?? 0, 0);
  });

  test('a hostile caller name travels through route_req and route_resp into the dial string without adding anything', async () => {
    const placed = await node.phone('1003', realm).call('2004');
    await clock.advance(10_000);
    const log = placed.ringLog()!;
    assert.deepEqual(log.attempts.map((a) => a.endpoint), [`1001@${realm}`], 'only the routed user rings');
    assert.equal(log.answeredBy, `1001@${realm}`);
    const exchange = node.xmlCurl.exchanges.find((x) => x.section === 'dialplan' && x.body.includes('Caller-Destination-Number=2004'))!;
    const bridge = attrs(exchange.response!, 'action', 'data').find((d) => d.includes('user/1001'))!;
    assert.ok(!bridge.includes('$'), bridge);
    assert.equal(bridge.slice(bridge.lastIndexOf(']') + 1), `user/1001@${realm}`);
    assert.equal(bridge.split(',').length, bridge.slice(0, bridge.lastIndexOf(']')).split(',').length, 'no separator outside the variable block');
    placed.hangup();
    await clock.advance(1000);
  });

  test('a registration that expires is published as Expires 0', async () => {
    const phone = node.phone('1001', realm);
    assert.equal(await phone.register(10), 'registered');
    const count = peer.regs.filter((r) => r.Username === '1001' && r.Expires === 0).length;
    await clock.advance(75_000); // Expires 10 s + sofia's 60 s late margin
    await waitFor('expiry published', () => peer.regs.filter((r) => r.Username === '1001' && r.Expires === 0).length > count || undefined);
    assert.equal(await phone.register(), 'registered');
  });

  test('park + call control: route_win, queued commands in order, noop completion, hangup', async () => {
    const placed = await node.phone('1000', realm).call('2001');
    await clock.advance(100);
    const win = await waitFor('route_win', () => peer.wins.find((w) => w['Call-ID'] === placed.uuid));
    assert.equal(win['Msg-ID'], placed.uuid);
    assert.equal(win['Control-Queue'], ecallmgr.runtime.control.controlQueue);
    const send = (fields: Record<string, unknown>) => peer.command(win['Control-Queue'], placed.uuid, fields);
    await send({
      'Application-Name': 'queue',
      'Msg-ID': 'q-1',
      Commands: [
        { 'Application-Name': 'answer' },
        { 'Application-Name': 'tones', Tones: [{ Frequencies: [440], 'Duration-ON': 300, 'Duration-OFF': 100, Repeat: 2 }] },
        { 'Application-Name': 'noop', 'Msg-ID': 'noop-1' },
      ],
    });
    for (let i = 0; i < 20 && !peer.events.some((e) => e['Application-Name'] === 'noop' && e['Call-ID'] === placed.uuid); i++) {
      await clock.advance(500);
      await new Promise((r) => setTimeout(r, 30));
    }
    const completions = peer.events.filter((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Call-ID'] === placed.uuid).map((e) => e['Application-Name']);
    assert.deepEqual(completions, ['answer', 'play', 'noop']);
    const noop = peer.events.find((e) => e['Application-Name'] === 'noop' && e['Call-ID'] === placed.uuid)!;
    assert.equal(noop['Application-Response'], 'noop-1');
    await send({ 'Application-Name': 'store_fax', 'Msg-ID': 'bad-1', 'Media-Transfer-Method': 'put', 'Media-Transfer-Destination': 'http://127.0.0.1:9/fax' });
    const err = await waitFor('command error', () => peer.errors.find((e) => e['Msg-ID'] === 'bad-1'));
    assert.match(String(err['Error-Message']), /Could not execute dialplan action: store_fax/);
    assert.equal((err.Request as Record<string, unknown>)['Application-Name'], 'store_fax');
    await send({ 'Application-Name': 'hangup', 'Msg-ID': 'h-1' });
    await clock.advance(100);
    await waitFor('CHANNEL_DESTROY', () => peer.events.find((e) => e['Event-Name'] === 'CHANNEL_DESTROY' && e['Call-ID'] === placed.uuid));
    assert.equal(await placed.done, 'NORMAL_CLEARING');
  });
});
