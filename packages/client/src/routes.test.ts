import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { isFifeError, router } from '@fife/api';
import { Bus, handler } from '@fife/bus';
import { testVhost } from '@fife/testkit';
import { FifeClient } from './index.js';

let url: string;
let client: FifeClient;
let routerPeer: Bus;
const seen: Array<Record<string, unknown>> = [];
const account = `a${nanoid(31).replace(/[^a-z0-9]/gi, 'b').toLowerCase()}`;

before(async () => {
  url = await testVhost('client-routes');
  client = await FifeClient.connect({ url, appName: 'sdk-routes-test' });
  // A real AMQP peer standing in for the router: bound to this test's account and realm only.
  routerPeer = new Bus({ url, identity: { appName: 'router', appVersion: '0', node: 'router@test' }, logger: pino({ level: 'silent' }) });
  await routerPeer.start();
  await routerPeer.consume({
    queue: `client-test.router.${nanoid(6)}`,
    exclusive: true,
    bindings: [
      { exchange: 'fife', key: `router.dry_run.${account}` },
      { exchange: 'fife', key: 'router.dry_run.routes%2Esdk%2Etest' },
    ],
    handlers: [
      handler(router.dryRunReq, (m, ctx) => {
        seen.push(m);
        const closed = m.At !== undefined && m.At < '2026-11-23T08:00:00';
        return ctx.reply(router.dryRunResp, {
          Result: closed ? 'error' : 'bridge',
          'Account-ID': m['Account-ID'] ?? account,
          'Callflow-ID': 'cf-2000',
          At: m.At ?? new Date().toISOString(),
          Reasons: [`${m.To}: callflow cf-2000 by number`, closed ? 'calendar Support closed until 2026-11-23T08:00:00Z' : 'calendar Support open'],
          'Route-Resp': closed ? { Method: 'error', 'Route-Error-Code': '480' } : { Method: 'bridge', Routes: [{ 'To-User': '1001', 'To-Realm': 'routes.sdk.test' }] },
        });
      }),
    ],
  });
});
after(async () => {
  await client.close();
  await routerPeer.close();
});

test('routes.dryRun: the plan and the reasons, with the instant sent as ISO', async () => {
  const closed = await client.routes.dryRun({ accountId: account, to: '2000', at: new Date('2026-11-23T07:30:00Z') });
  assert.equal(closed.result, 'error');
  assert.equal(closed.at, '2026-11-23T07:30:00.000Z');
  assert.match(closed.reasons.join('\n'), /closed until/);
  assert.equal(closed.routeResp?.['Route-Error-Code'], '480');
  assert.equal(closed.callflowId, 'cf-2000');

  const open = await client.routes.dryRun({ from: '1000@routes.sdk.test', to: '2000', at: '2026-11-23T09:00:00Z' });
  assert.equal(open.result, 'bridge');
  assert.equal(open.accountId, account);
  assert.equal(seen.at(-1)?.From, '1000@routes.sdk.test');
  assert.equal(seen.at(-1)?.['Account-ID'], undefined);
});

test('routes.dryRun: bad input is refused before sending, silence is a typed timeout', async () => {
  const before = seen.length;
  await assert.rejects(client.routes.dryRun({ to: '2000' }), (e) => isFifeError(e, 'client.invalid') && /from/.test(e.message));
  await assert.rejects(client.routes.dryRun({ accountId: account, to: '2000', at: 'yesterday' }), (e) => isFifeError(e, 'client.invalid') && /at/.test(e.message));
  assert.equal(seen.length, before);
  await assert.rejects(client.routes.dryRun({ accountId: 'nobody-routes-here', to: '2000', timeoutMs: 200 }), (e) => isFifeError(e, 'bus.timeout'));
});
