// Smoke test of the load driver at tiny scale: the whole path (simulator → ecallmgr → registrar/router over
// a real broker → CouchDB) runs, and the numbers it reports agree with each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerUrl } from '@fife/testkit';
import { formatReport, markdownRow } from './report.js';
import { runLoad } from './run.js';

test('a tiny load run produces consistent figures', { timeout: 120_000 }, async () => {
  const phones = 12;
  const report = await runLoad({
    amqpUrl: await brokerUrl(),
    phones,
    nodes: 2,
    callees: 2,
    apps: ['ecallmgr', 'registrar', 'router'],
    regRates: [10],
    callRates: [3],
    stepSeconds: 1,
    baselineSeconds: 0.5,
    callHoldS: 0.3,
    stormDeadlineS: 60,
    logLevel: 'warn',
  });

  assert.equal(report.vhost, 'private');
  assert.equal(report.whapps, 3);
  assert.equal(report.restarts, 0);
  // Every phone registered at its node, and the registrar stored exactly one binding per phone.
  assert.equal(report.setup.filled, phones);
  assert.equal(report.setup.stored, phones);

  const [reg, call] = report.steps;
  assert.ok(reg && reg.phase === 'register' && call && call.phase === 'call');
  assert.equal(reg.started, 10);
  assert.equal(reg.succeeded + reg.failed, reg.started);
  assert.equal(reg.auth.count, reg.started, 'one directory fetch per REGISTER');
  assert.ok(reg.auth.p50 > 0 && reg.auth.p50 <= reg.auth.p99 && reg.auth.p99 <= reg.auth.max);
  // ecallmgr's own histogram saw the same number of directory fetches as the simulator made.
  const ecallmgrDirectory = reg.serverSide.filter((s) => s.series.startsWith('ecallmgr-1 ecallmgr_fetch{section=directory')).reduce((n, s) => n + s.count, 0);
  assert.equal(ecallmgrDirectory, reg.auth.count);

  assert.equal(call.started, 3);
  assert.equal(call.succeeded + call.failed, call.started);
  assert.equal(call.route?.count, call.started, 'one dialplan fetch per call');
  assert.equal(call.auth.count, call.started, 'one INVITE digest check per call');

  for (const step of report.steps) {
    assert.equal(step.baseline.count + step.baseline.lost, step.baseline.sent);
    assert.ok(step.baseline.p50 > 0);
    for (const name of ['ecallmgr-1', 'registrar-1', 'router-1', 'couchdb', 'driver+sim']) {
      const usage = step.processes.find((p) => p.name === name);
      assert.ok(usage, `${name} measured in ${step.phase} ${step.targetPerS}/s`);
      assert.ok(usage.cpuPercent >= 0 && usage.rssMb > 10, `${name}: ${JSON.stringify(usage)}`);
    }
  }

  const storm = report.storm!;
  assert.equal(storm.registered, phones);
  assert.equal(storm.stored, phones, 'every binding rewritten by the storm');
  assert.ok(storm.attempts >= phones && storm.auth.count === storm.attempts);
  assert.ok(storm.allRegisteredMs !== undefined && storm.allStoredMs !== undefined && storm.allStoredMs >= 0);

  assert.match(formatReport(report), /reg 10\/s/);
  assert.match(markdownRow(report), new RegExp(`\\| ${phones} / 2 / 3 \\|`));
});
