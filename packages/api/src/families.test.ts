import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authn, build, call, dialplan, nodes, registration, route, type SenderIdentity } from './index.js';

/** Routing keys the fixtures do not exercise: realm case, IP realms, missing parts, call-id choice. */

const sender: SenderIdentity = { appName: 't', appVersion: '1', node: 't@h', serverId: 'q' };
const key = <D extends Parameters<typeof build>[0]>(def: D, fields: Parameters<typeof build<D>>[1]): string =>
  def.routingKey(build(def, fields, sender) as never);

describe('routing-key builders', () => {
  test('authn.req lowercases the realm and keys IP realms on the To domain', () => {
    const base = { From: '1001@x', 'Auth-User': '1001' };
    assert.equal(key(authn.req, { ...base, To: '1001@SIP.Example.com', 'Auth-Realm': 'SIP.Example.com' }), 'authn.req.sip%2Eexample%2Ecom');
    assert.equal(
      key(authn.req, { ...base, To: 'sip:1001@pbx.example.com:5060', 'Auth-Realm': '10.0.0.5' }),
      'authn.req.pbx%2Eexample%2Ecom',
    );
  });

  test('reg_query without Username ends in a literal *', () => {
    assert.equal(key(registration.query, { Realm: 'sip.example.com' }), 'registration.query.sip%2Eexample%2Ecom.*');
    assert.equal(key(registration.flush, { Realm: 'sip.example.com' }), 'registration.flush.sip%2Eexample%2Ecom');
    assert.equal(key(registration.sync, {}), 'registration.sync');
  });

  test('route.req: account form, else realm.user from From', () => {
    const base = { 'Call-ID': 'u1', To: '1002@sip.example.com', Request: '1002@sip.example.com' };
    assert.equal(key(route.req, { ...base, From: '1001@sip.example.com', 'Account-ID': 'acc1' }), 'route.req.audio.acc1');
    assert.equal(
      key(route.req, { ...base, From: '1001@sip.example.com', 'Resource-Type': 'sms', 'Custom-Channel-Vars': { 'Account-ID': 'acc2' } }),
      'route.req.sms.acc2',
    );
    assert.equal(key(route.req, { ...base, From: '1001@sip.example.com' }), 'route.req.audio.sip%2Eexample%2Ecom.1001');
  });

  test('call events key on Origination-Call-ID when set; queries on call.status_req', () => {
    assert.equal(key(call.event, { 'Event-Name': 'DTMF', 'Call-ID': 'a1b2@10.0.0.5' }), 'call.DTMF.a1b2%4010%2E0%2E0%2E5');
    assert.equal(key(call.event, { 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'u1', 'Origination-Call-ID': 'c2c-1' }), 'call.CHANNEL_CREATE.c2c-1');
    assert.equal(key(call.usurpControl, { 'Call-ID': 'u1', 'Fetch-ID': 'f' }), 'call.usurp_control.u1');
    assert.equal(key(call.channelStatusReq, { 'Call-ID': 'a1b2@10.0.0.5' }), 'call.status_req.a1b2%4010%2E0%2E0%2E5');
    assert.equal(key(call.userChannelsReq, { Usernames: ['1001'], Realm: 'sip.example.com' }), 'call.status_req.1001%3Asip%2Eexample%2Ecom');
    assert.equal(key(call.userChannelsReq, { 'Authorizing-IDs': ['d1'] }), 'call.status_req.');
    assert.equal(key(dialplan.error, { 'Call-ID': 'a.b', 'Error-Message': 'x' }), 'call.dialplan.a%2Eb');
  });

  test("Fife's node messages", () => {
    assert.equal(key(nodes.heartbeat, { Node: 'ecallmgr@fs-a.example.net', Expires: 15000 }), 'node.heartbeat.ecallmgr%40fs-a%2Eexample%2Enet');
    assert.equal(
      key(nodes.mediaServer, { 'Media-Server': 'freeswitch@fs-a', Status: 'down' }),
      'node.media_server.down.freeswitch%40fs-a',
    );
  });
});
