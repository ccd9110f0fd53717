import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { router } from '@fife/api';
import { handler, type Bus } from '@fife/bus';
import { dryRunRoute } from './route.js';
import { capture, peer, runFife } from '../output/test-helpers.js';
import { testVhost } from '@fife/testkit';

describe('fife route', () => {
  let url: string;
  let routerPeer: Bus;
  const account = `r${nanoid(31).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;

  before(async () => {
    url = await testVhost('cli-commands');
    // A stand-in router for one account: closed before 08:00 UTC, open after.
    routerPeer = await peer(url, 'router', [{ exchange: 'fife', key: `router.dry_run.${account}` }], [
      handler(router.dryRunReq, (m, ctx) => {
        const closed = (m.At ?? '') < '2026-11-23T08:00:00';
        return ctx.reply(router.dryRunResp, {
          Result: closed ? 'error' : 'bridge',
          'Account-ID': account,
          At: m.At ?? new Date().toISOString(),
          Reasons: [`${m.To}: callflow cf1 by number`, closed ? 'calendar Support closed until 2026-11-23T08:00:00Z' : 'calendar Support open'],
          'Route-Resp': closed
            ? { Method: 'error', 'Route-Error-Code': '480', 'Route-Error-Message': 'Temporarily Unavailable' }
            : { Method: 'bridge', Routes: [{ 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': 'route.cli.test', 'Fife-Step': 0 }] },
        });
      }),
    ]);
  });
  after(() => routerPeer.close());

  test('the binary: an open line is exit 0 with the plan and reasons; a closed one exit 1; --json is the reply', async () => {
    const open = await runFife(['route', '--account', account, '--to', '2000', '--at', '2026-11-23T09:00:00Z'], { AMQP_URL: url });
    assert.equal(open.code, 0, open.stderr);
    assert.match(open.stdout, /^2000 at 2026-11-23T09:00:00\.000Z: bridge\n/);
    assert.match(open.stdout, /step 1: 1001@route\.cli\.test/);
    assert.match(open.stdout, /calendar Support open/);

    const closed = await runFife(['route', '--account', account, '--to', '2000', '--at', '2026-11-23T07:30:00Z', '--json'], { AMQP_URL: url });
    assert.equal(closed.code, 1, closed.stderr);
    const reply = JSON.parse(closed.stdout) as { Result: string; Reasons: string[] };
    assert.equal(reply.Result, 'error');
    assert.match(reply.Reasons.join('\n'), /closed until/);
  });

  test('bad arguments exit 2; no router exit 3', async () => {
    const usage = capture();
    assert.equal(await dryRunRoute(url, ['--to', '2000'], usage), 2);
    assert.match(usage.stderr(), /give --from USER@REALM or --account ID/);
    const badAt = capture();
    assert.equal(await dryRunRoute(url, ['--to', '2000', '--account', account, '--at', 'teatime'], badAt), 2);
    const silent = await runFife(['route', '--account', account, '--to', '2000', '--timeout', '300'], { AMQP_URL: await testVhost('cli-empty') });
    assert.equal(silent.code, 3, silent.stderr);
    assert.match(silent.stderr, /no router answered within 300 ms/);
  });
});
