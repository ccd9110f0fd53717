import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import amqp, { type ChannelModel } from 'amqplib';
import { registration, system } from '@fife/api';
import { handler, type Bus } from '@fife/bus';
import { calendarConfigShape } from '@fife/calendar';
import { callgroupConfigShape } from '@fife/callgroup';
import { routerConfigShape } from '@fife/router';
import { knownQueues, redact, type StatusReport } from './status.js';
import { peer, runFife } from '../output/test-helpers.js';
import { testVhost } from '@fife/testkit';

/** A process answering system/ping_req as the whapp runtime does (silent when another app is asked for). */
const pingAs = (app: string, checks: Record<string, boolean>) =>
  handler(system.pingReq, (m, ctx) =>
    m.App && m.App !== app
      ? undefined
      : ctx.reply(system.pingResp, { 'Uptime-Seconds': 42, Ready: Object.values(checks).every(Boolean), Checks: checks, PID: 4242, Hostname: 'cli-test' }),
  );
const pingBindings = (app: string) => [
  { exchange: 'fife', key: 'system.ping.*' },
  { exchange: 'fife', key: `system.ping.${app}` },
];

describe('fife status', () => {
  let url: string;
  const peers: Bus[] = [];
  let lease: ChannelModel;

  before(async () => {
    url = await testVhost('cli-status');
    peers.push(await peer(url, 'callgroup', pingBindings('callgroup'), [pingAs('callgroup', { bus: true, store: true })]));
    peers.push(await peer(url, 'ecallmgr', pingBindings('ecallmgr'), [pingAs('ecallmgr', { bus: true, 'freeswitch:fs-a': true, 'freeswitch:fs-b': false })]));
    // The callgroup's shared queue gets a consumer; every other known queue stays without one.
    peers.push(await peer(url, 'callgroup-worker', [], [], 'fife.callgroup.plan'));
    peers.push(
      await peer(url, 'registrar', [{ exchange: 'registrar', key: 'registration.query.all.*' }], [
        handler(registration.query, (m, ctx) => ctx.reply(registration.queryResp, { Fields: [], Count: m['Count-Only'] ? 3 : 0 })),
      ]),
    );
    // fs-a's lease is held, as an active ecallmgr holds it: an exclusive queue on another connection.
    lease = await amqp.connect(url);
    await (await lease.createChannel()).assertQueue('fife.ecallmgr.lease.fs-a', { exclusive: true, durable: false, autoDelete: true });
  });

  after(async () => {
    for (const p of peers) await p.close();
    await lease?.close();
  });

  test('--json: processes, FreeSWITCH nodes with their lease, queues with consumers, registrations; problems exit 1', async () => {
    const run = await runFife(['status', '--json', '--timeout', '2000'], { AMQP_URL: url });
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as StatusReport;
    assert.deepEqual(report.processes.map((p) => p['App-Name']), ['callgroup', 'ecallmgr']);
    assert.deepEqual(report.freeswitch, [
      { node: 'fs-a', upOn: ['ecallmgr@cli-test'], downOn: [], lease: 'held' },
      { node: 'fs-b', upOn: [], downOn: ['ecallmgr@cli-test'], lease: 'none' },
    ]);
    const byName = new Map(report.queues.map((q) => [q.queue, q]));
    assert.deepEqual(byName.get('fife.callgroup.plan'), { app: 'callgroup', queue: 'fife.callgroup.plan', state: 'ok', consumers: 1, messages: 0 });
    assert.equal(byName.get('fife.router.route_req')?.state, 'missing');
    assert.deepEqual(report.registrations, { count: 3, registrars: 1 });
    assert.ok(report.problems.some((p) => /ecallmgr .* is not ready \(freeswitch:fs-b\)/.test(p)), report.problems.join('\n'));
    assert.ok(report.problems.some((p) => /FreeSWITCH fs-b: no ecallmgr/.test(p)));
    assert.ok(report.problems.some((p) => /fife\.router\.route_req .* does not exist/.test(p)));
    assert.ok(!report.problems.some((p) => /callgroup/.test(p)));
    assert.doesNotMatch(report.broker, /guest:guest/);
  });

  test('--app narrows processes and queues; a healthy selection exits 0 with tables', async () => {
    const run = await runFife(['status', '--app', 'callgroup', '--timeout', '2000'], { AMQP_URL: url });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Components \(1 processes\)/);
    assert.match(run.stdout, /^callgroup +callgroup@cli-test +4242 +ready +42s/m);
    assert.match(run.stdout, /^fife\.callgroup\.plan +callgroup +1 +0 +ok$/m);
    assert.doesNotMatch(run.stdout, /fife\.router/);
    assert.match(run.stdout, /Registrations: 3 live \(answered by 1 registrar\)/);
    assert.match(run.stdout, /\nhealthy\n$/);
    assert.doesNotMatch(run.stdout, /\u001b\[/, 'no colour off a TTY');
  });
});

test('the queue names are the whapps\u2019 defaults and follow the same environment variables', () => {
  const names = knownQueues({}).map((q) => q.queue);
  assert.ok(names.includes(routerConfigShape.ROUTER_QUEUE.parse(undefined)));
  assert.ok(names.includes(`${routerConfigShape.ROUTER_QUEUE.parse(undefined)}.dry_run`));
  assert.ok(names.includes(callgroupConfigShape.CALLGROUP_QUEUE.parse(undefined)));
  assert.ok(names.includes(calendarConfigShape.CALENDAR_STATUS_QUEUE.parse(undefined)));
  assert.ok(names.includes(calendarConfigShape.CALENDAR_ONCALL_QUEUE.parse(undefined)));
  assert.ok(knownQueues({ REGISTRAR_QUEUE_PREFIX: 'east.registrar' }).some((q) => q.queue === 'east.registrar.reg_query'));
  assert.equal(redact('amqp://u:secret@h:5672/v'), 'amqp://u:***@h:5672/v');
});
