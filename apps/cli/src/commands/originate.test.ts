import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resource, type MessageDef } from '@fife/api';
import { handler, type Bus } from '@fife/bus';
import { originateCall, originateFields } from './originate.js';
import { capture, peer, runFife } from '../output/test-helpers.js';
import { testVhost } from '@fife/testkit';

describe('fife originate', () => {
  let url: string;
  let ecallmgr: Bus;
  const requests: Array<Record<string, unknown>> = [];

  before(async () => {
    url = await testVhost('cli-originate');
    // A stand-in ecallmgr: originate_uuid first, then the outcome the dialled user stands for.
    ecallmgr = await peer(url, 'ecallmgr', [{ exchange: 'callmgr', key: 'originate.resource.req' }], [
      handler(resource.originateReq, async (m, ctx) => {
        requests.push(m);
        const user = (m.Endpoints[0] as Record<string, unknown>)['To-User'];
        await ctx.reply(resource.originateUuid as MessageDef<any>, { 'Outbound-Call-ID': `leg-${String(user)}` });
        if (user === 'busy') await ctx.reply(resource.originateError as MessageDef<any>, { 'Error-Message': 'USER_BUSY', 'Call-ID': 'leg-busy' });
        else await ctx.reply(resource.originateResp as MessageDef<any>, { 'Call-ID': `leg-${String(user)}`, 'Application-Response': 'SUCCESS' });
      }),
    ]);
  });
  after(() => ecallmgr.close());

  test('the binary: progress, then the outcome; exit 0 answered, 1 busy', async () => {
    const ok = await runFife(['originate', '--from', '1001@orig.cli.test', '--to', '2000', '--timeout', '20', '--account', 'acc1'], { AMQP_URL: url });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(ok.stdout.trim().split('\n'), [
      'ringing 1001@orig.cli.test (up to 20 s), then transferring to 2000 …',
      'originate_uuid: call id leg-1001',
      'answered: 1001@orig.cli.test was transferred to 2000 (call id leg-1001)',
    ]);
    const sent = requests.at(-1)!;
    assert.deepEqual(sent.Endpoints, [{ 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': 'orig.cli.test' }]);
    assert.equal(sent['Application-Name'], 'transfer');
    assert.deepEqual(sent['Application-Data'], { Route: '2000' });
    assert.equal(sent.Timeout, 20);
    assert.deepEqual(sent['Custom-Channel-Vars'], { 'Account-ID': 'acc1' });

    const busy = await runFife(['originate', '--from', 'busy@orig.cli.test', '--to', '2000', '--json'], { AMQP_URL: url });
    assert.equal(busy.code, 1, busy.stderr);
    const lines = busy.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l['Event-Name']), ['originate_uuid', 'originate_resp']);
    assert.equal(lines[1]!['Error-Message'], 'USER_BUSY');
  });

  test('no ecallmgr is exit 3 at once (mandatory publish); bad arguments exit 2', async () => {
    const io = capture();
    const started = Date.now();
    assert.equal(await originateCall(await testVhost('cli-empty'), { from: '1001@x.test', to: '2000', timeoutS: 30 }, io), 3);
    assert.ok(Date.now() - started < 10_000, 'does not wait for the originate deadline');
    assert.match(io.stderr(), /no ecallmgr consumes originate requests/);
    const bad = capture();
    assert.equal(await originateCall(url, { from: '1001', to: '2000', timeoutS: 30 }, bad), 2);
    assert.match(bad.stderr(), /expected USER@REALM/);
    assert.deepEqual((originateFields({ from: 'sofia/internal/sip:bob@192.0.2.10', to: '1001', timeoutS: 5 }) as { Endpoints: unknown[] }).Endpoints, [
      { 'Invite-Format': 'route', Route: 'sofia/internal/sip:bob@192.0.2.10' },
    ]);
    assert.deepEqual(originateFields({ from: '1001@x', to: '20 00', timeoutS: 5 }), { error: '--to 20 00: expected a number or extension' });
  });
});
