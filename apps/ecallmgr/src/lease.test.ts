import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { authn, encodeSegment, registration, type MessageOf } from '@fife/api';
import { handler } from '@fife/bus';
import { ha1Of, startSimNode, VirtualClock, type SimNode } from '@fife/testkit';
import { freePort, startEcallmgr, startPeer, waitFor, type TestEcallmgr } from './test-support.js';

const id = nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
const realm = `lease-${id}.example.com`;

describe('two ecallmgr processes sharing one node: active/standby through the broker lease', { timeout: 60_000 }, () => {
  let fs: SimNode;
  let first: TestEcallmgr;
  let second: TestEcallmgr;
  let peer: Awaited<ReturnType<typeof startPeer>>;
  const regs: MessageOf<typeof registration.success>[] = [];
  const nodeName = `shared-${id}`;

  before(async () => {
    peer = await startPeer('registrar');
    await peer.consume({
      queue: `test-lease-authn-${id}`,
      exclusive: true,
      bindings: [{ exchange: 'callmgr', key: `authn.req.${encodeSegment(realm)}` }],
      handlers: [handler(authn.req, (msg, ctx) => ctx.reply(authn.resp, { 'Auth-Method': 'a1-hash', 'Auth-Password': ha1Of(msg['Auth-User'], realm, 'pw') }))],
    });
    await peer.consume({
      queue: `test-lease-regs-${id}`,
      exclusive: true,
      bindings: [{ exchange: 'registrar', key: `registration.success.${encodeSegment(realm)}.*` }],
      handlers: [handler(registration.success, (msg) => void regs.push(msg))],
    });
    const port = await freePort();
    fs = await startSimNode({
      hostname: `fs-${id}`,
      clock: new VirtualClock(),
      xmlCurl: { url: `http://127.0.0.1:${port}/fetch` },
      endpoints: [{ user: '1000', domain: realm, password: 'pw', register: false }],
    });
    const nodes = JSON.stringify([{ name: nodeName, host: '127.0.0.1', port: fs.port }]);
    first = await startEcallmgr({ ECALLMGR_FS_NODES: nodes, ECALLMGR_XMLCURL_PORT: String(port) });
    await waitFor('first holds the lease', () => first.runtime.owns(nodeName));
    second = await startEcallmgr({ ECALLMGR_FS_NODES: nodes });
    await waitFor('second connected', () => second.runtime.pool.nodes[0]!.up);
  });
  after(async () => {
    await first?.stop();
    await second?.stop();
    await fs?.stop();
    await peer?.stop();
  });

  test('both hold an ESL connection, only the lease holder publishes: one reg_success per REGISTER', async () => {
    assert.equal(fs.eslConnections, 2);
    assert.equal(second.runtime.owns(nodeName), false);
    assert.equal(await fs.phone('1000', realm).register(), 'registered');
    await waitFor('reg_success', () => regs.length > 0 || undefined);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(regs.length, 1);
  });

  test('the holder goes away: the standby takes the lease and publishes, still once', async () => {
    await first.stop();
    await waitFor('standby takes over', () => second.runtime.owns(nodeName), 8000);
    // xml_curl still points at the stopped process: the phone refreshes against a directory that is gone,
    // so use an unregister, which needs no directory lookup.
    await fs.phone('1000', realm).unregister();
    await waitFor('unregister published by the standby', () => regs.find((r) => r.Expires === 0));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(regs.filter((r) => r.Expires === 0).length, 1);
  });
});
