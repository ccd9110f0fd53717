import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { route } from '@fife/api';
import { startSimNode, VirtualClock, type PhoneCall, type SimNode } from '@fife/testkit';
import { freePort, startCallPeer, startEcallmgr, waitFor, type CallPeer, type TestEcallmgr } from './test-support.js';

const id = nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
const realm = `ctl-${id}.example.com`;
const account = `acct${id}c`;

/** Call commands beyond the basics, each through ecallmgr's control queue into the simulator and back as events. */
describe('call control: transfer, other-leg hangup, eavesdrop, recording, fax, soft hold, page, queue filters', { timeout: 90_000 }, () => {
  const clock = new VirtualClock();
  let node: SimNode;
  let ecallmgr: TestEcallmgr;
  let peer: CallPeer;

  before(async () => {
    peer = await startCallPeer({
      name: `ctl-${id}`,
      realm,
      account,
      password: (user) => `pw${user}`,
      route: (msg, ctx, winnerQueue) => {
        const dest = msg['Destination-Number'];
        if (dest === '3000') return ctx.reply(route.resp, { Method: 'park', Routes: [], 'Server-ID': winnerQueue } as never);
        if (dest === '3001') return ctx.reply(route.resp, { Method: 'bridge', Routes: [{ 'Invite-Format': 'username', 'To-User': '1002', 'To-Realm': realm }] });
      },
    });
    const port = await freePort();
    node = await startSimNode({
      hostname: `fs-ctl-${id}`,
      clock,
      granularity: 'exact',
      playbackMs: 2000,
      xmlCurl: { url: `http://127.0.0.1:${port}/fetch` },
      endpoints: ['1000', '1001', '1002', '1003'].map((user) => ({
        user,
        domain: realm,
        password: `pw${user}`,
        register: true,
        behaviour: { kind: 'answer' as const, afterS: 1 },
      })),
    });
    ecallmgr = await startEcallmgr({ ECALLMGR_FS_NODES: `127.0.0.1:${node.port}`, ECALLMGR_XMLCURL_PORT: String(port) });
    await waitFor('the node up and leased', () => ecallmgr.runtime.pool.nodes[0]!.up && ecallmgr.runtime.owns(ecallmgr.runtime.pool.nodes[0]!.name));
    for (const user of ['1000', '1001', '1002', '1003']) assert.equal(await node.phone(user, realm).register(), 'registered');
  });
  after(async () => {
    await ecallmgr?.stop();
    await node?.stop();
    await peer?.stop();
  });

  /** Runs the virtual clock (the simulator's time) until `probe` holds. */
  async function until<T>(what: string, probe: () => T | undefined | false, stepMs = 250): Promise<T> {
    for (let i = 0; i < 80; i++) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      await clock.advance(stepMs);
      await new Promise((r) => setTimeout(r, 15));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** A call from `user` to the parked extension, with its Control-Queue once route_win came. */
  async function parkedCall(user = '1000'): Promise<{ placed: PhoneCall; send(fields: Record<string, unknown>): Promise<void> }> {
    const placed = await node.phone(user, realm).call('3000');
    const win = await until('route_win', () => peer.wins.find((w) => w['Call-ID'] === placed.uuid));
    return { placed, send: (fields) => peer.command(win['Control-Queue'], placed.uuid, fields) };
  }

  const completed = (callId: string, app: string) =>
    peer.eventsOf(callId, 'CHANNEL_EXECUTE_COMPLETE').find((e) => e['Application-Name'] === app);
  const liveLegsTo = (user: string) => [...node.engine.channels.values()].filter((c) => c.isUp && c.direction === 'outbound' && c.name.includes(`/${user}@`));

  /** Parks a call from 1000 and bridges it to 1001 through a bridge command; resolves once bridged. */
  async function bridgedCall() {
    const call = await parkedCall();
    await call.send({ 'Application-Name': 'bridge', 'Msg-ID': `b-${nanoid(4)}`, Endpoints: [{ 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': realm }] });
    const bridged = await until('CHANNEL_BRIDGE', () => peer.eventsOf(call.placed.uuid, 'CHANNEL_BRIDGE')[0]);
    return { ...call, transferee: String(bridged['Other-Leg-Call-ID']) };
  }

  test('blind transfer: the parked call is routed again to Transfer-To; the completion is relayed as transfer', async () => {
    const { placed, send } = await parkedCall();
    await send({ 'Application-Name': 'transfer', 'Msg-ID': 't-1', 'Transfer-Type': 'blind', 'Transfer-To': '3001' });
    await until('1002 answers the transferred call', () => placed.ringLog()?.answeredBy === `1002@${realm}`);
    assert.ok(completed(placed.uuid, 'transfer'), 'CHANNEL_EXECUTE_COMPLETE transfer relayed');
    const fetches = node.xmlCurl.exchanges.filter((x) => x.section === 'dialplan' && x.body.includes(`Unique-ID=${placed.uuid}`));
    assert.deepEqual(fetches.map((x) => new URLSearchParams(x.body).get('Caller-Destination-Number')), ['3000', '3001']);
    placed.hangup();
    await clock.advance(500);
  });

  test('a transfer to a hostile destination is refused with a dialplan error, and the call stays', async () => {
    const { placed, send } = await parkedCall();
    await send({ 'Application-Name': 'transfer', 'Msg-ID': 't-bad', 'Transfer-Type': 'blind', 'Transfer-To': '3001 XML public' });
    const err = await waitFor('error', () => peer.errors.find((e) => e['Msg-ID'] === 't-bad'));
    assert.match(String(err['Error-Message']), /Could not execute dialplan action: transfer/);
    assert.equal(node.channel(placed.uuid)?.isUp, true);
    placed.hangup();
    await clock.advance(500);
  });

  test('attended transfer: the transferor talks to the target; when it hangs up, transferee and target are bridged', async () => {
    const { placed, send, transferee } = await bridgedCall();
    // As Kazoo's whapps do, the command carries the account CCVs the new leg is routed with.
    await send({
      'Application-Name': 'transfer',
      'Msg-ID': 't-2',
      'Insert-At': 'now',
      'Transfer-Type': 'attended',
      'Transfer-To': '3001',
      'Custom-Channel-Vars': { 'Account-ID': account },
    });
    const target = await until('the target 1002 answers', () => liveLegsTo('1002').find((c) => c.answered));
    placed.hangup();
    // The transferor's new leg is the loopback a-leg whose b-leg was routed (3001 → 1002).
    const peerOfTransferee = () => node.channel(transferee)?.other?.channel;
    await until('transferee bridged to the transfer leg', () => peerOfTransferee()?.name.startsWith('loopback/3001-a') && peerOfTransferee()?.isUp);
    await clock.advance(2000);
    assert.equal(node.channel(transferee)?.isUp, true, 'the transferee stays');
    assert.equal(target.isUp, true, 'the target stays');
    assert.equal(node.channel(placed.uuid), undefined, 'the transferor is gone');
    const execute = peer.eventsOf(placed.uuid, 'CHANNEL_EXECUTE').find((e) => e['Application-Name'] === 'transfer');
    assert.match(String(execute?.['Raw-Application-Data'] ?? ''), /loopback\/3001\//);
    node.engine.kill(transferee, 'NORMAL_CLEARING');
    await until('everyone hung up', () => !target.isUp);
  });

  test('hangup with Other-Leg-Only: the peer goes, the controlled leg stays and runs the next command', async () => {
    const { placed, send, transferee } = await bridgedCall();
    await send({ 'Application-Name': 'hangup', 'Msg-ID': 'h-o', 'Insert-At': 'now', 'Other-Leg-Only': true });
    await until('the peer is gone', () => !node.channel(transferee)?.isUp);
    await until('the bridge completes', () => completed(placed.uuid, 'bridge'));
    assert.equal(node.channel(placed.uuid)?.isUp, true, 'the caller is still up');
    await send({ 'Application-Name': 'noop', 'Msg-ID': 'after-unbridge' });
    const noop = await until('noop after the unbridge', () => completed(placed.uuid, 'noop'));
    assert.equal(noop['Application-Response'], 'after-unbridge');
    placed.hangup();
    await clock.advance(500);
  });

  test('eavesdrop on a live call on the same node; an unknown target is a dialplan error', async () => {
    const watched = await node.phone('1003', realm).call('3001');
    await until('the watched call is answered', () => watched.ringLog()?.answeredBy);
    const { placed, send } = await parkedCall();
    await send({ 'Application-Name': 'eavesdrop', 'Msg-ID': 'e-0', 'Target-Call-ID': 'no-such-call' });
    const err = await waitFor('error', () => peer.errors.find((e) => e['Msg-ID'] === 'e-0'));
    assert.match(String(err['Error-Message']), /eavesdrop/);
    await send({ 'Application-Name': 'eavesdrop', 'Msg-ID': 'e-1', 'Target-Call-ID': watched.uuid, 'Enable-DTMF': true });
    await until('eavesdrop running', () => peer.eventsOf(placed.uuid, 'CHANNEL_EXECUTE').find((e) => e['Application-Name'] === 'eavesdrop'));
    assert.equal(completed(placed.uuid, 'eavesdrop'), undefined, 'listening while the target is up');
    watched.hangup();
    await until('eavesdrop ends with the target', () => completed(placed.uuid, 'eavesdrop'));
    assert.equal(node.channel(placed.uuid)?.getVar('eavesdrop_enable_dtmf'), 'true');
    placed.hangup();
    await clock.advance(500);
  });

  test('record_call start/stop, record, receive_fax and soft_hold run in order; RECORD_START/STOP relayed', async () => {
    const { placed, send } = await parkedCall();
    await send({
      'Application-Name': 'queue',
      'Msg-ID': 'q-rec',
      Commands: [
        { 'Application-Name': 'answer' },
        { 'Application-Name': 'record_call', 'Record-Action': 'start', 'Media-Name': `/tmp/${id}.wav`, 'Time-Limit': 600 },
        { 'Application-Name': 'record', 'Media-Name': `/tmp/${id}-vm.wav`, 'Time-Limit': 1 },
        { 'Application-Name': 'record_call', 'Record-Action': 'stop', 'Media-Name': `/tmp/${id}.wav` },
        { 'Application-Name': 'receive_fax' },
        { 'Application-Name': 'soft_hold', 'Unhold-Key': '#' },
        { 'Application-Name': 'noop', 'Msg-ID': 'rec-done' },
      ],
    });
    await until('the queue ran', () => completed(placed.uuid, 'noop'));
    const apps = peer.eventsOf(placed.uuid, 'CHANNEL_EXECUTE_COMPLETE').map((e) => e['Application-Name']);
    assert.deepEqual(apps, ['answer', 'record_call', 'record', 'record_call', 'receive_fax', 'soft_hold', 'noop']);
    const records = peer.eventsOf(placed.uuid).filter((e) => e['Event-Name'] === 'RECORD_START' || e['Event-Name'] === 'RECORD_STOP');
    assert.deepEqual(records.map((e) => e['Event-Name']), ['RECORD_START', 'RECORD_START', 'RECORD_STOP', 'RECORD_STOP']);
    assert.equal(node.channel(placed.uuid)?.getVar('fax_success'), '1');
    placed.hangup();
    await clock.advance(500);
  });

  test('hold_control: uuid_hold, CHANNEL_HOLD then CHANNEL_UNHOLD relayed', async () => {
    const { placed, send } = await parkedCall();
    await send({ 'Application-Name': 'hold_control', 'Msg-ID': 'hc-1', Action: 'hold' });
    await until('CHANNEL_HOLD', () => peer.eventsOf(placed.uuid, 'CHANNEL_HOLD')[0]);
    await send({ 'Application-Name': 'hold_control', 'Msg-ID': 'hc-2', Action: 'unhold' });
    await until('CHANNEL_UNHOLD', () => peer.eventsOf(placed.uuid, 'CHANNEL_UNHOLD')[0]);
    placed.hangup();
    await clock.advance(500);
  });

  test('page: every endpoint is called into the page conference, and all are hung up when the pager leaves', async () => {
    const { placed, send } = await parkedCall('1003');
    await send({
      'Application-Name': 'page',
      'Msg-ID': 'p-1',
      Endpoints: [
        { 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': realm },
        { 'Invite-Format': 'username', 'To-User': '1002', 'To-Realm': realm },
      ],
    });
    await until('both paged phones answer', () => liveLegsTo('1001').some((c) => c.answered) && liveLegsTo('1002').some((c) => c.answered));
    const leg = liveLegsTo('1001')[0]!;
    assert.equal(leg.getVar('sip_invite_params'), 'intercom=true', 'auto-answer header requested');
    placed.hangup();
    await until('the paged legs are hung up', () => liveLegsTo('1001').length === 0 && liveLegsTo('1002').length === 0);
  });

  test('noop with Filter-Applications drops the matching queued commands up to the first other one', async () => {
    const { placed, send } = await parkedCall();
    const tone = (ms: number) => ({ 'Application-Name': 'tones', Tones: [{ Frequencies: [440], 'Duration-ON': ms, 'Duration-OFF': 0 }] });
    await send({
      'Application-Name': 'queue',
      'Msg-ID': 'q-f',
      Commands: [
        { 'Application-Name': 'answer' },
        tone(3000),
        { ...tone(1000), 'Group-ID': 'drop' },
        { ...tone(1000), 'Group-ID': 'drop' },
        { ...tone(1000), 'Group-ID': 'keep' },
        { ...tone(1000), 'Group-ID': 'drop' },
        { 'Application-Name': 'noop', 'Msg-ID': 'last' },
      ],
    });
    await until('the first tone plays', () => peer.eventsOf(placed.uuid, 'CHANNEL_EXECUTE').find((e) => e['Application-Name'] === 'play'), 100);
    await send({ 'Application-Name': 'noop', 'Msg-ID': 'filter', 'Insert-At': 'now', 'Filter-Applications': [{ 'Application-Name': 'tones', Fields: { 'Group-ID': 'drop' } }] });
    await until('the queue ran', () => completed(placed.uuid, 'noop') && peer.eventsOf(placed.uuid, 'CHANNEL_EXECUTE_COMPLETE').some((e) => e['Application-Response'] === 'last'));
    const done = peer.eventsOf(placed.uuid, 'CHANNEL_EXECUTE_COMPLETE').map((e) => `${e['Application-Name']}${e['Application-Name'] === 'noop' ? `:${e['Application-Response']}` : ''}`);
    assert.deepEqual(done, ['answer', 'noop:filter', 'play', 'play', 'play', 'noop:last'], 'the two queued "drop" tones went; filtering stopped at "keep"');
    placed.hangup();
    await clock.advance(500);
  });
});
