// Stand-in registrar, calendar and callgroup for router.bench.ts, in a process of their own so the
// load generator does not also carry the peers' work. Prints "ready" once consuming.
import pino from 'pino';
import { calendar, callgroup, registration } from '@fife/api';
import { Bus, handler } from '@fife/bus';

const realm = process.env.BENCH_REALM ?? 'bench.example.com';
const members = Array.from({ length: 20 }, (_, i) => 2100 + i);
const groupPlan = {
  Status: 'ringing',
  'Ring-Plan': members.map((m) => ({ extension: String(m), device: String(m), kind: 'device', start_after_s: 0, stop_after_s: null, via_path: ['3000', String(m)] })),
  Skipped: [],
  'Caller-ID': { number: '1000', name: null, lang: null, dialout_allowed: false },
  Rendering: { kind: 'bridge', dial_string: `{ignore_early_media=true}${members.map((m) => `sofia/internal/sip:${m}@10.0.1.${m - 2090}:5060`).join(',')}` },
};

const bus = new Bus({ url: process.env.AMQP_URL!, identity: { appName: 'bench-peers', appVersion: 'bench', node: 'peers@bench' }, logger: pino({ level: 'silent' }) });
await bus.start();
await bus.consume({
  queue: `bench-peers-${process.pid}`,
  exclusive: true,
  prefetch: 256,
  bindings: [
    { exchange: 'registrar', key: `registration.query.${realm.replaceAll('.', '%2E')}.*` },
    { exchange: 'fife', key: 'calendar.status.*' },
    { exchange: 'fife', key: 'callgroup.plan.*' },
  ],
  handlers: [
    // The registrar answering from memory, as the real one does from its index.
    handler(registration.query, (msg, ctx) => ctx.reply(registration.queryResp, { Fields: [{ Contact: `sip:${msg.Username}@10.0.0.20:5060`, Expires: 3600 }] })),
    handler(calendar.statusReq, (msg, ctx) => ctx.reply(calendar.statusResp, { 'Calendar-ID': msg['Calendar-ID'], At: msg.At ?? new Date().toISOString(), Status: 'open', 'Active-Events': [] })),
    handler(callgroup.planReq, (msg, ctx) => ctx.reply(callgroup.planResp, { 'Account-ID': msg['Account-ID'], 'Called-Number': msg['Called-Number'], ...groupPlan } as never)),
  ],
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => void bus.drain(1000).finally(() => process.exit(0)));
