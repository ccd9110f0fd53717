import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { build, calendar, call, dialplan, error, isFifeError, registration, resource, type MessageDef } from '@fife/api';
import { Bus, handler, type Handler } from '@fife/bus';
import { brokerUrl } from '@fife/testkit';
import { FifeClient } from './index.js';

let url: string;
let client: FifeClient;
const peers: Bus[] = [];

/** A real AMQP peer standing in for a service, on its own exclusive queue. */
async function peer(name: string, bindings: Array<{ exchange: string; key: string }>, handlers: Handler<any>[]): Promise<Bus> {
  const bus = new Bus({ url, identity: { appName: name, appVersion: '0', node: `${name}@test` }, logger: pino({ level: 'silent' }) });
  await bus.start();
  await bus.consume({ queue: `client-test.${name}.${nanoid(6)}`, exclusive: true, bindings, handlers });
  peers.push(bus);
  return bus;
}

before(async () => {
  url = await brokerUrl();
  client = await FifeClient.connect({ url, appName: 'sdk-test' });
});
after(async () => {
  await client.close();
  for (const p of peers) await p.close();
});

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('registrations: replies of several registrars merge, newest entry per contact wins', async () => {
  const realm = `r${nanoid(6).toLowerCase()}.example.com`;
  const key = `registration.query.${realm.replace(/\./g, '%2E')}.*`;
  const answer = (ts: number, agent: string) =>
    handler(registration.query, (_m, ctx) =>
      ctx.reply(registration.queryResp, {
        Fields: [{ Username: '1001', Realm: realm, Contact: 'sip:1001@192.0.2.10:5060', 'Event-Timestamp': ts, 'User-Agent': agent }],
      }),
    );
  await peer('registrar-a', [{ exchange: 'registrar', key }], [answer(63_900_000_100, 'old phone')]);
  await peer('registrar-b', [{ exchange: 'registrar', key }], [answer(63_900_000_200, 'new phone')]);
  await peer('registrar-c', [{ exchange: 'registrar', key }], [handler(registration.query, (_m, ctx) => ctx.reply(registration.queryError, {}))]);
  const found = await client.registrations.query({ realm, timeoutMs: 700 });
  assert.equal(found.length, 1);
  assert.equal(found[0]!['User-Agent'], 'new phone');
});

test('calendars: a typed status, a typed remote error, a typed timeout', async () => {
  const accountId = nanoid(32).replace(/[^a-z0-9]/gi, 'a');
  await peer('calendar', [{ exchange: 'fife', key: `calendar.status.${accountId}` }], [
    handler(calendar.statusReq, (m, ctx) =>
      m['Calendar-ID'] === 'missing'
        ? ctx.reply(error.generic, { 'Event-Name': 'status_req', 'Error-Message': 'no such calendar: missing' } as never)
        : ctx.reply(calendar.statusResp, { 'Calendar-ID': m['Calendar-ID'], At: m.At ?? new Date().toISOString(), Status: 'closed', Until: '2026-11-23T08:00:00Z', 'Active-Events': [] }),
    ),
  ]);
  const status = await client.calendars.status({ accountId, calendarId: 'support', at: new Date('2026-11-23T07:30:00Z') });
  assert.equal(status.Status, 'closed');
  assert.equal(status.At, '2026-11-23T07:30:00.000Z');
  assert.equal(status.Until, '2026-11-23T08:00:00Z');
  await assert.rejects(client.calendars.status({ accountId, calendarId: 'missing' }), (e) => isFifeError(e, 'client.remote_error') && /no such calendar/.test(e.message));
  await assert.rejects(client.calendars.status({ accountId: 'nobody-home', calendarId: 'x', timeoutMs: 200 }), (e) => isFifeError(e, 'bus.timeout'));
});

test('calls: subscriptions filter by call and by event name through bindings', async () => {
  const callA = `${nanoid(8)}@192.0.2.1`;
  const callB = nanoid(8);
  const ofA: string[] = [];
  const answers: string[] = [];
  const s1 = await client.calls.subscribe({ callId: callA }, (e) => void ofA.push(e['Event-Name']));
  const s2 = await client.calls.subscribe({ event: 'CHANNEL_ANSWER' }, (e) => void answers.push(String(e['Call-ID'])));
  const publisher = await peer('ecallmgr', [], []);
  const emit = async (name: string, callId: string) => {
    const msg = build(call.event, { 'Event-Name': name, 'Call-ID': callId } as never, publisher.identity);
    await publisher.publish(call.event, msg);
  };
  await emit('CHANNEL_CREATE', callA);
  await emit('CHANNEL_CREATE', callB);
  await emit('CHANNEL_ANSWER', callB);
  await emit('CHANNEL_ANSWER', callA);
  await until(() => ofA.length === 2 && answers.length >= 2);
  assert.deepEqual(ofA, ['CHANNEL_CREATE', 'CHANNEL_ANSWER']);
  assert.deepEqual(answers.filter((c) => c === callA || c === callB).sort(), [callA, callB].sort());
  await s1.close();
  await s2.close();
});

test('calls: commands reach the Control-Queue; originate reports progress, then the result', async () => {
  const controlQueue = `ecallmgr-test-control-${nanoid(6)}`;
  const commands: Array<Record<string, unknown>> = [];
  await peer('control', [{ exchange: 'callctl', key: controlQueue }], [handler(dialplan.command, (m) => void commands.push(m))]);
  await client.calls.command(controlQueue, 'uuid-1', 'play', { 'Media-Name': 'tone_stream://%(200,0,440)' } as never);
  await until(() => commands.length === 1);
  assert.equal(commands[0]!['Application-Name'], 'play');
  assert.equal(commands[0]!['Call-ID'], 'uuid-1');

  const progress: string[] = [];
  await peer('ecallmgr-originate', [{ exchange: 'callmgr', key: 'originate.resource.req' }], [
    handler(resource.originateReq, async (_m, ctx) => {
      await ctx.reply(resource.originateUuid as MessageDef<any>, { 'Outbound-Call-ID': 'leg-1' });
      await ctx.reply(resource.originateResp as MessageDef<any>, { 'Call-ID': 'leg-1', 'Application-Response': 'SUCCESS' });
    }),
  ]);
  const result = await client.calls.originate(
    { Endpoints: [{ 'Invite-Format': 'route', Route: 'sofia/internal/1001@192.0.2.10' }], 'Application-Name': 'park' } as never,
    { timeoutMs: 3000, onProgress: (r) => void progress.push(String(r['Event-Name'])) },
  );
  assert.equal(result['Application-Response'], 'SUCCESS');
  assert.deepEqual(progress, ['originate_uuid']);
});
