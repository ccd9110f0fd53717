// plan_req → plan_resp latency through the running service (real RabbitMQ, embedded CouchDB, warm
// topology cache), for a 21-member group with a stand-in registrar answering reg_query. Three modes:
// dry run (Stage2 given: no lookups), lookups with the default channel window, lookups skipped by
// Stage2-Timeout-Ms 0. Run: node --import tsx apps/callgroup/bench/plan-req.bench.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { callgroup, registration } from '@fife/api';
import { Bus, handler } from '@fife/bus';
import { openStore } from '@fife/store';
import { startWhapp } from '@fife/whapp';
import { putExtension } from '../src/documents/extension-doc.js';
import { callgroupWhapp } from '../src/whapp.js';
import { testVhost } from '@fife/testkit';

const N = 200;
const url = await testVhost('callgroup-bench');
const dir = await mkdtemp(join(tmpdir(), 'fife-cg-bench-'));
const store = await openStore({ dataDir: join(dir, 'couch') });
const app = await startWhapp(callgroupWhapp, { AMQP_URL: url, COUCH_URL: store.url, FIFE_DATA_DIR: dir, LOG_LEVEL: 'silent', CALLGROUP_QUEUE: 'fife.callgroup.plan.bench' });
const bus = new Bus({ url, identity: { appName: 'bench', appVersion: '0', node: 'bench@local' }, logger: pino({ level: 'silent' }) });
await bus.start();
await bus.consume({
  queue: `bench-registrar-${process.pid}`,
  exclusive: true,
  handlers: [handler(registration.query, (msg, ctx) => ctx.reply(registration.queryResp, { Fields: [{ Contact: `<sip:${msg.Username}@192.0.2.1:5060>`, Username: msg.Username }] }))],
});
try {
  const accountId = await store.createAccount({ name: 'bench', realm: 'bench.callgroup.test' });
  const members = Array.from({ length: 21 }, (_, i) => String(1001 + i));
  for (const ext of members) await putExtension(store, accountId, { ext });
  await putExtension(store, accountId, { ext: '2000', type: 'GROUP', ranks: [{ members: members.slice(0, 10).map((ext) => ({ ext })) }, { mode: 'NEXT', delay: 10, members: members.slice(10).map((ext) => ({ ext })) }] });
  const modes: Record<string, Record<string, unknown>> = {
    'dry run (Stage2 given)': { Stage2: { registrations: {} } },
    'lookups (reg_query + 100 ms channel window)': {},
    'lookups skipped (Stage2-Timeout-Ms 0)': { 'Stage2-Timeout-Ms': 0 },
  };
  for (const [label, extra] of Object.entries(modes)) {
    const times: number[] = [];
    for (let i = 0; i < N + 20; i++) {
      const t0 = performance.now();
      const reply = await bus.request(callgroup.planReq, { 'Account-ID': accountId, 'Called-Number': '2000', 'Caller-ID-Number': '555', ...extra } as never, { timeoutMs: 5000, replies: [callgroup.planResp] });
      if (reply.Status !== 'ringing') throw new Error(`unexpected ${JSON.stringify(reply)}`);
      if (i >= 20) times.push(performance.now() - t0);
      if (label.startsWith('lookups (') && i >= 60) break;
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
    console.log(`${label.padEnd(46)} n=${times.length}  p50 ${q(0.5)} ms  p99 ${q(0.99)} ms`);
  }
} finally {
  await bus.close();
  await app.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
