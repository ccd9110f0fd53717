import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { callgroup, error, isFifeError } from '@fife/api';
import { Bus, handler } from '@fife/bus';
import { testVhost } from '@fife/testkit';
import { FifeClient } from './index.js';

let client: FifeClient;
let peer: Bus;
const account = `c${nanoid(31).replace(/[^a-z0-9]/gi, 'd').toLowerCase()}`;

before(async () => {
  const url = await testVhost('client-callgroups');
  client = await FifeClient.connect({ url, appName: 'sdk-callgroups-test' });
  // A real AMQP peer standing in for the callgroup service, for this test's account only.
  peer = new Bus({ url, identity: { appName: 'callgroup', appVersion: '0', node: 'callgroup@test' }, logger: pino({ level: 'silent' }) });
  await peer.start();
  await peer.consume({
    queue: `client-test.callgroup.${nanoid(6)}`,
    exclusive: true,
    bindings: [{ exchange: 'fife', key: `callgroup.plan.${account}` }],
    handlers: [
      handler(callgroup.planReq, (m, ctx) =>
        m['Called-Number'] === '9999'
          ? ctx.reply(error.generic, { 'Event-Name': 'plan_req', 'Error-Message': 'callgroup.no_extension: 9999 is not an extension' } as never)
          : ctx.reply(callgroup.planResp, {
              'Account-ID': m['Account-ID'],
              'Called-Number': m['Called-Number'],
              Status: 'ringing',
              'Ring-Plan': [
                { extension: '1001', device: 'dev-1001', kind: 'device', start_after_s: 0, stop_after_s: null, via_path: [m['Called-Number'], '1001'] },
                { extension: '1002', device: 'dev-1002', kind: 'device', start_after_s: 10, stop_after_s: null, via_path: [m['Called-Number'], '1002'] },
              ],
              Skipped: [],
              'Caller-ID': { number: m['Caller-ID-Number'] ?? null, name: null, lang: null, dialout_allowed: false },
              Rendering: { kind: 'bridge', dial_string: 'user/1001@x,[leg_delay_start=10]user/1002@x' },
              ...(m.Explain ? { Tree: [{ path: [m['Called-Number']], number: m['Called-Number'], type: 'GROUP', log: [{ code: 'ranks', message: 'two ranks' }] }] } : {}),
            }),
      ),
    ],
  });
});
after(async () => {
  await client.close();
  await peer.close();
});

test('callgroups.plan: who rings when, with the tree on request', async () => {
  const plan = await client.callgroups.plan({ accountId: account, number: '2000', from: '555', explain: true });
  assert.equal(plan.Status, 'ringing');
  assert.deepEqual(plan['Ring-Plan'].map((l) => [l.extension, l.start_after_s]), [['1001', 0], ['1002', 10]]);
  assert.equal(plan['Caller-ID'].number, '555');
  assert.equal(plan.Tree?.length, 1);
  const plain = await client.callgroups.plan({ accountId: account, number: '2000' });
  assert.equal(plain.Tree, undefined);
});

test('callgroups.plan: refusals are remote errors, silence a timeout, bad input never sent', async () => {
  await assert.rejects(client.callgroups.plan({ accountId: account, number: '9999' }), (e) => isFifeError(e, 'client.remote_error') && /no_extension/.test(e.message));
  await assert.rejects(client.callgroups.plan({ accountId: 'nobody-plans-here', number: '2000', timeoutMs: 200 }), (e) => isFifeError(e, 'bus.timeout'));
  await assert.rejects(client.callgroups.plan({ accountId: account, number: '' }), (e) => isFifeError(e, 'client.invalid'));
});
