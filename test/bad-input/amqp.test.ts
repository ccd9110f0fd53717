// Bad-input campaign, AMQP side: malformed, oversized and mis-typed messages to every whapp queue
// (registrar, callgroup, calendar, router, ecallmgr). Each must be dead-lettered with a code and a
// reason naming the problem, or get a safe answer; no process dies, no CouchDB document changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { authn, calendar, call, callgroup, dialplan, registration, route, router, system, type MessageDef } from '@fife/api';
import { Bus } from '@fife/bus';
import { CASE_HEADER, couchSnapshot, DeadLetterTap, eventually, printTable, RawPeer, snapshotDiff, type DeadLetter } from './support.js';
import { provision, startCluster, type Cluster, type Provisioned } from './cluster.js';
import { testVhost } from '@fife/testkit';

interface Target {
  name: string;
  def: MessageDef<any>;
  exchange: string;
  key: string;
  valid(): Record<string, unknown>;
  /** A field the message cannot do without (named by the refusal). */
  required: string;
  /** Fields set to values of the wrong type (the first is the one named). */
  wrongTypes: Record<string, unknown>;
  /** Requests expect a reply to the sender's Server-ID. */
  request: boolean;
}

interface Case {
  id: string;
  target: Target;
  kind: string;
  msgId: string;
  content: Buffer;
  props: Record<string, unknown>;
  /** Dead-letter code the case must produce; undefined = a safe answer of the whapp's choosing. */
  expectCode?: string;
  /** Text the dead-letter reason must contain. */
  expectReason?: string;
}

const MB5 = 5 * 1024 * 1024;
const NOT_ENLARGED = ['Event-Category', 'Event-Name', 'Msg-ID', 'Server-ID', 'Resource-Type', 'Insert-At', 'Status', 'Method'];
const KB100 = 100 * 1024;
/** amqplib refuses to encode a header table above 64 KiB, so this is the most a peer using it can send. */
const HEADER_KB62 = 62 * 1024;

function body(target: Target, msgId: string, edit: (b: Record<string, unknown>) => void = () => undefined): Record<string, unknown> {
  const b = { ...target.valid(), 'Msg-ID': msgId };
  edit(b);
  return b;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** The refused kinds: each must end in the dead-letter queue with the given code. */
function refusedCases(target: Target): Array<Omit<Case, 'id' | 'target'>> {
  const m = () => nanoid();
  return [
    { kind: 'non-JSON body', msgId: m(), content: Buffer.from('{"Event-Category": "directory", this is not JSON'), props: {}, expectCode: 'bus.malformed_body' },
    { kind: 'JSON array', msgId: m(), content: json([target.valid()]), props: {}, expectCode: 'bus.not_an_object' },
    { kind: 'JSON scalar', msgId: m(), content: Buffer.from('"authn_req"'), props: {}, expectCode: 'bus.not_an_object' },
    { kind: 'JSON null', msgId: m(), content: Buffer.from('null'), props: {}, expectCode: 'bus.not_an_object' },
    ((id) => ({ kind: '5 MB body', msgId: id, content: json(body(target, id, (b) => (b.Padding = 'x'.repeat(MB5)))), props: {}, expectCode: 'bus.body_too_large' }))(m()),
    ((id) => ({ kind: 'gzip header, plain body', msgId: id, content: json(body(target, id)), props: { contentEncoding: 'gzip' }, expectCode: 'bus.malformed_body' }))(m()),
    ((id) => ({
      kind: 'gzip bomb (6 MB inflated)',
      msgId: id,
      content: gzipSync(json(body(target, id, (b) => (b.Padding = ' '.repeat(6 * 1024 * 1024))))),
      props: { contentEncoding: 'gzip' },
      expectCode: 'bus.malformed_body',
    }))(m()),
    ((id) => ({
      kind: 'missing required field',
      msgId: id,
      content: json(body(target, id, (b) => delete b[target.required])),
      props: {},
      expectCode: 'api.invalid',
      expectReason: target.required,
    }))(m()),
    ((id) => ({
      kind: 'wrong types',
      msgId: id,
      content: json(body(target, id, (b) => Object.assign(b, target.wrongTypes))),
      props: {},
      expectCode: 'api.invalid',
      expectReason: Object.keys(target.wrongTypes)[0],
    }))(m()),
    {
      kind: 'non-JSON body + 62 KB AMQP header',
      msgId: m(),
      content: Buffer.from('not JSON at all'),
      props: { headers: { 'x-junk': 'h'.repeat(HEADER_KB62) } },
      expectCode: 'bus.malformed_body',
    },
    ((id) => ({
      kind: 'unknown Event-Name',
      msgId: id,
      content: json(body(target, id, (b) => (b['Event-Name'] = 'no_such_event'))),
      props: {},
      expectCode: 'bus.unexpected_message',
      expectReason: 'no_such_event',
    }))(m()),
  ];
}

/** The tolerated kinds: whatever the whapp does, it must be a dead-letter with a code, a reply, or silence. */
function toleratedCases(target: Target): Array<Omit<Case, 'id' | 'target'>> {
  const m = () => nanoid();
  const huge = (b: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(b)) {
      // Enumerated fields keep their value: the point is long free text reaching the handlers.
      if (typeof v === 'string' && !NOT_ENLARGED.includes(k)) b[k] = v + 'x'.repeat(KB100);
    }
  };
  const cases: Array<Omit<Case, 'id' | 'target'>> = [
    ((id) => ({ kind: '100 KB string fields', msgId: id, content: json(body(target, id, huge)), props: {} }))(m()),
    ((id) => ({ kind: '62 KB AMQP header', msgId: id, content: json(body(target, id)), props: { headers: { 'x-junk': 'h'.repeat(HEADER_KB62) } } }))(m()),
    ((id) => ({ kind: 'content-type text/xml', msgId: id, content: json(body(target, id)), props: { contentType: 'text/xml' } }))(m()),
    ((id) => ({
      kind: '__proto__ / constructor keys',
      msgId: id,
      // Written by hand: JSON.stringify would not emit an own __proto__ key.
      content: Buffer.from(
        `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},${JSON.stringify(body(target, id)).slice(1)}`,
      ),
      props: {},
    }))(m()),
  ];
  if (target.request) {
    cases.push(((id) => ({ kind: 'no Server-ID', msgId: id, content: json(body(target, id, (b) => delete b['Server-ID'])), props: {} }))(m()));
  }
  return cases;
}

describe('bad input over AMQP to every whapp queue', { timeout: 90_000 }, () => {
  let cluster: Cluster;
  let peer: RawPeer;
  let tap: DeadLetterTap;
  let client: Bus;
  let p: Provisioned;
  let targets: Target[] = [];
  const outcomes = new Map<string, { target: string; kind: string; letters: DeadLetter[]; replies: number; expectCode?: string }>();

  before(async () => {
    const url = await testVhost('bad-input-amqp');
    cluster = await startCluster(url, 'amqp');
    p = await provision(cluster.store, 'amqp');
    peer = await RawPeer.open(url);
    tap = await DeadLetterTap.open(url);
    client = new Bus({ url, identity: { appName: 'bad-input', appVersion: '0', node: 'bad-input@test' }, logger: pino({ level: 'silent' }) });
    await client.start();
    const sender = { 'App-Name': 'bad-input', 'App-Version': '0', Node: 'bad-input@test', 'Server-ID': peer.replyQueue };
    const controlQueue = cluster.ecallmgrRuntime.control.controlQueue;
    const t = (def: MessageDef<any>, fields: Record<string, unknown>, rest: Omit<Target, 'def' | 'valid' | 'exchange' | 'key'> & { key?: string; exchange?: string }): Target => {
      const valid = () => ({ ...sender, ...fields, 'Event-Category': def.category, 'Event-Name': def.name, 'Msg-ID': nanoid() });
      return { def, valid, exchange: rest.exchange ?? def.exchange, key: rest.key ?? def.routingKey(valid() as never), ...rest };
    };
    const aor = { To: `${p.user}@${p.realm}`, From: `${p.user}@${p.realm}` };
    targets = [
      t(authn.req, { ...aor, 'Auth-User': p.user, 'Auth-Realm': p.realm, Method: 'REGISTER' }, {
        name: 'registrar authn_req',
        required: 'Auth-User',
        wrongTypes: { 'Auth-Realm': { nested: true }, Expires: 'soon' },
        request: true,
      }),
      t(registration.success, { Username: p.user, Realm: p.realm, Contact: `<sip:${p.user}@192.0.2.10:5060>`, Expires: 300, Status: 'Registered', 'Call-ID': nanoid(), 'Event-Timestamp': 63_900_000_000 }, {
        name: 'registrar reg_success',
        required: 'Contact',
        wrongTypes: { Expires: { forever: true } },
        request: false,
      }),
      t(registration.query, { Realm: p.realm, Username: p.user }, {
        name: 'registrar reg_query',
        required: 'App-Name',
        wrongTypes: { Fields: 'Contact' },
        request: true,
      }),
      t(callgroup.planReq, { 'Account-ID': p.accountId, 'Called-Number': p.groupNumber, 'Caller-ID-Number': '555' }, {
        name: 'callgroup plan_req',
        required: 'Called-Number',
        wrongTypes: { 'Account-ID': ['a', 'b'] },
        request: true,
      }),
      t(calendar.statusReq, { 'Account-ID': p.accountId, 'Calendar-ID': p.calendarId }, {
        name: 'calendar status_req',
        required: 'Calendar-ID',
        wrongTypes: { 'Calendar-ID': 12 },
        request: true,
      }),
      t(calendar.oncallReq, { 'Account-ID': p.accountId, 'Calendar-ID': p.calendarId }, {
        name: 'calendar oncall_req',
        required: 'Account-ID',
        wrongTypes: { 'Calendar-ID': { id: 1 } },
        request: true,
      }),
      t(
        route.req,
        {
          'Call-ID': nanoid(),
          'Resource-Type': 'audio',
          From: `1002@${p.realm}`,
          To: `${p.user}@${p.realm}`,
          Request: `${p.user}@${p.realm}`,
          'Custom-Channel-Vars': { 'Account-ID': p.accountId },
        },
        { name: 'router route_req', required: 'Call-ID', wrongTypes: { 'Custom-Channel-Vars': 'not an object' }, request: true },
      ),
      t(router.dryRunReq, { 'Account-ID': p.accountId, From: `1002@${p.realm}`, To: p.user }, {
        name: 'router dry_run_req',
        required: 'To',
        wrongTypes: { 'Account-ID': { id: true } },
        request: true,
      }),
      t(call.channelStatusReq, { 'Call-ID': nanoid() }, { name: 'ecallmgr channel_status_req', required: 'Call-ID', wrongTypes: { 'Call-ID': 7 }, request: false }),
      t(
        dialplan.command,
        { 'Call-ID': nanoid(), 'Application-Name': 'answer', 'Insert-At': 'tail' },
        { name: 'ecallmgr call command', required: 'Application-Name', wrongTypes: { 'Application-Name': 42 }, request: false, exchange: 'callctl', key: controlQueue },
      ),
    ];
    // Every valid request answered once before the campaign: caches warm, so load cannot pass for refusal.
    for (const target of targets.filter((x) => x.request)) {
      await eventually(
        `${target.name} answers a valid request`,
        async () => {
          const msgId = nanoid();
          await peer.send(target.exchange, target.key, json(body(target, msgId)));
          await eventually('reply', () => peer.repliesTo(msgId).length > 0, 3000).catch(() => undefined);
          return peer.repliesTo(msgId).length > 0;
        },
        20_000,
      );
    }
  });

  after(async () => {
    await client?.close();
    await peer?.close();
    await tap?.close();
    await cluster?.stop();
  });

  async function run(cases: Case[]): Promise<void> {
    await Promise.all(
      cases.map((c) =>
        peer.send(c.target.exchange, c.target.key, c.content, { ...c.props, headers: { ...((c.props.headers as object) ?? {}), [CASE_HEADER]: c.id } }),
      ),
    );
    // Refusals are quick; the tolerated cases are given until every request was answered or dead-lettered.
    await eventually('every refused case dead-lettered', () => cases.every((c) => !c.expectCode || tap.of(c.id).length > 0), 15_000);
    await eventually(
      'every tolerated request answered or dead-lettered',
      () => cases.every((c) => c.expectCode || !c.target.request || c.kind === 'no Server-ID' || tap.of(c.id).length > 0 || peer.repliesTo(c.msgId).length > 0),
      8_000,
    ).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300)); // late duplicates would show up here
    for (const c of cases) {
      outcomes.set(c.id, { target: c.target.name, kind: c.kind, letters: tap.of(c.id), replies: peer.repliesTo(c.msgId).length, ...(c.expectCode ? { expectCode: c.expectCode } : {}) });
    }
  }

  async function assertAlive(): Promise<void> {
    for (const { name, app } of cluster.apps) {
      const replies = await client.collect(system.pingReq, { App: name } as never, { timeoutMs: 1500, replies: [system.pingResp], count: 1 });
      assert.equal(replies.length, 1, `${name} answers ping`);
      assert.equal(replies[0]!.PID, process.pid, `${name} ping answered by this test's process`);
      const health = await fetch(`${app.httpUrl}/healthz`);
      assert.equal(health.status, 200, `${name} /healthz`);
    }
  }

  test('malformed, oversized, mis-typed and unknown messages are dead-lettered with a code naming the problem; nothing is written', async () => {
    const before = await couchSnapshot(cluster.couch.url);
    const cases: Case[] = targets.flatMap((target) => refusedCases(target).map((c, i) => ({ ...c, id: `${target.name}#r${i}`, target })));
    await run(cases);
    for (const c of cases) {
      const letters = tap.of(c.id);
      // One dead-letter per consuming queue: a routing key may feed several (the router follows reg_success too).
      assert.ok(letters.length >= 1, `${c.target.name} / ${c.kind}: dead-lettered`);
      assert.equal(new Set(letters.map((l) => l.queue)).size, letters.length, `${c.target.name} / ${c.kind}: once per queue`);
      for (const letter of letters) {
        assert.equal(letter.code, c.expectCode, `${c.target.name} / ${c.kind}: code (reason: ${letter.reason})`);
        assert.ok(letter.reason.length > 0, `${c.target.name} / ${c.kind}: a reason`);
        if (c.expectReason) assert.ok(letter.reason.includes(c.expectReason), `${c.target.name} / ${c.kind}: reason "${letter.reason}" names ${c.expectReason}`);
      }
      assert.equal(peer.repliesTo(c.msgId).length, 0, `${c.target.name} / ${c.kind}: no reply`);
    }
    const after = await couchSnapshot(cluster.couch.url);
    assert.deepEqual(snapshotDiff(before, after), [], 'no CouchDB document changed');
    await assertAlive();
  });

  test('huge fields, huge headers, odd content types, prototype keys and missing Server-ID get a safe answer', async () => {
    const cases: Case[] = targets.flatMap((target) => toleratedCases(target).map((c, i) => ({ ...c, id: `${target.name}#t${i}`, target })));
    await run(cases);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
    for (const c of cases) {
      const letters = tap.of(c.id);
      const replies = peer.repliesTo(c.msgId);
      assert.equal(new Set(letters.map((l) => l.queue)).size, letters.length, `${c.target.name} / ${c.kind}: at most one dead-letter per queue`);
      assert.ok(replies.length <= 1, `${c.target.name} / ${c.kind}: at most one reply`);
      assert.ok(!(letters.length && replies.length), `${c.target.name} / ${c.kind}: answered or dead-lettered, not both`);
      for (const l of letters) assert.ok(l.code !== '' && l.reason !== '', `${c.target.name} / ${c.kind}: dead-letter with code and reason`);
      if (c.kind === 'no Server-ID') {
        assert.equal(replies.length, 0);
        if (letters.length) assert.equal(letters[0]!.code, 'bus.no_server_id', `${c.target.name}: ${letters[0]!.reason}`);
      }
      // A valid body is valid whatever the content-type or extra AMQP headers say.
      if ((c.kind === 'content-type text/xml' || c.kind === '62 KB AMQP header') && c.target.request) {
        assert.equal(letters.length, 0, `${c.target.name} / ${c.kind}: not refused (${letters[0]?.reason})`);
        assert.equal(replies.length, 1, `${c.target.name} / ${c.kind}: answered`);
      }
      for (const r of replies) assert.ok(typeof r['Event-Name'] === 'string', `${c.target.name} / ${c.kind}: reply is a message`);
      // A 100 KB realm is no account's realm: refused like any unknown realm, not taken for a CouchDB outage.
      if (c.target.name === 'registrar authn_req' && c.kind === '100 KB string fields') {
        assert.equal(replies[0]?.['Event-Name'], 'authn_err', 'huge realm answered authn_err');
      }
    }
    await assertAlive();
  });

  test('figures: dead-letters and replies per case', () => {
    const kinds = [...new Set([...outcomes.values()].map((o) => o.kind))];
    const names = targets.map((t) => t.name);
    const short = (n: string) => n.replace(/^(\w+) /, '').replace(/_req$/, '');
    const rows = kinds.map((kind) => [
      kind,
      ...names.map((n) => {
        const o = [...outcomes.values()].find((x) => x.kind === kind && x.target === n);
        if (!o) return '';
        return o.letters.length ? `DL:${o.letters.map((l) => l.code.replace(/^\w+\./, '')).join('+')}` : o.replies ? 'reply' : 'silent';
      }),
      [...outcomes.values()].filter((o) => o.kind === kind).reduce((s, o) => s + o.letters.length, 0),
    ]);
    printTable('bad input over AMQP: outcome per case and queue (DL = dead-lettered, code without its area)', ['case', ...names.map(short), 'DLs'], rows);
    const tolerated = [...outcomes.values()].filter((o) => !o.expectCode && o.letters.length > 0);
    printTable(
      'dead-letter reasons of the tolerated cases',
      ['queue', 'case', 'code', 'reason'],
      tolerated.map((o) => [o.target, o.kind, o.letters[0]!.code, o.letters[0]!.reason.slice(0, 140)]),
    );
    const total = [...outcomes.values()].reduce((s, o) => s + o.letters.length, 0);
    console.log(`dead-letters in total: ${total} for ${outcomes.size} messages`);
    assert.ok(outcomes.size > 0);
  });
});
