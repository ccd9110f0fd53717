import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { calendar, error } from '@fife/api';
import { handler, type Bus } from '@fife/bus';
import { EXPAND_EXIT } from '@fife/calendar';
import { askCalendar, expandExitCode } from './calendar.js';
import { capture, peer, runFife } from '../output/test-helpers.js';
import { testVhost } from '@fife/testkit';

describe('fife calendar status|oncall', () => {
  let url: string;
  let service: Bus;
  const account = `k${nanoid(31).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const event = { UID: 'hours@cli.test', Summary: 'Support hours', Start: '2026-11-23T08:00:00Z', End: '2026-11-23T17:00:00Z' };

  before(async () => {
    url = await testVhost('cli-commands');
    // A stand-in calendar service for one account; "missing" is refused as the real one refuses it.
    service = await peer(url, 'calendar', [
      { exchange: 'fife', key: `calendar.status.${account}` },
      { exchange: 'fife', key: `calendar.oncall.${account}` },
    ], [
      handler(calendar.statusReq, (m, ctx) =>
        m['Calendar-ID'] === 'missing'
          ? ctx.reply(error.generic, { 'Event-Name': 'status_req', 'Error-Message': 'calendar.not_found: no calendar missing' } as never)
          : ctx.reply(calendar.statusResp, { 'Calendar-ID': m['Calendar-ID'], At: m.At!, Status: 'open', Until: '2026-11-23T17:00:00Z', 'Active-Events': [event] }),
      ),
      handler(calendar.oncallReq, (m, ctx) => ctx.reply(calendar.oncallResp, { 'Calendar-ID': m['Calendar-ID'], At: m.At!, 'User-IDs': ['alice'], 'Active-Events': [] })),
    ]);
  });
  after(() => service.close());

  test('the binary: status for people, exit 0', async () => {
    const run = await runFife(['calendar', 'status', '--account', account, '--calendar', 'support', '--at', '2026-11-23T09:00:00Z'], { AMQP_URL: url });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'open at 2026-11-23T09:00:00Z until 2026-11-23T17:00:00Z\n  2026-11-23T08:00:00Z - 2026-11-23T17:00:00Z  Support hours  [hours@cli.test]\n');
  });

  test('oncall as JSON; a refusal is exit 1, silence exit 3', async () => {
    const json = capture();
    assert.equal(await askCalendar(url, 'oncall', { account, calendar: 'ops', at: '2026-11-23T09:00:00Z', json: true, timeoutMs: 3000 }, json), 0);
    assert.deepEqual((JSON.parse(json.stdout()) as { 'User-IDs': string[] })['User-IDs'], ['alice']);
    const refused = capture();
    assert.equal(await askCalendar(url, 'status', { account, calendar: 'missing', timeoutMs: 3000 }, refused), 1);
    assert.match(refused.stderr(), /calendar\.not_found/);
    const silent = capture();
    assert.equal(await askCalendar(await testVhost('cli-empty'), 'status', { account, calendar: 'x', timeoutMs: 300 }, silent), 3);
    assert.match(silent.stderr(), /bus\.timeout/);
  });
});

test('calendar expand: the expander\u2019s sysexits codes map onto the fife table; a missing file is exit 2', async () => {
  assert.deepEqual([EXPAND_EXIT.ok, EXPAND_EXIT.parse, EXPAND_EXIT.usage, EXPAND_EXIT.noInput].map(expandExitCode), [0, 1, 2, 2]);
  const run = await runFife(['calendar', 'expand', '/nonexistent/office.ics', '--from', '2026-11-23T00:00:00Z', '--to', '2026-11-24T00:00:00Z']);
  assert.equal(run.code, 2, run.stderr);
});
