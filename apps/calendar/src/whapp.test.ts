import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import pino from 'pino';
import amqp from 'amqplib';
import { calendar, genericError, isFifeError } from '@fife/api';
import { Bus } from '@fife/bus';
import { accountDbName, openStore, type Store } from '@fife/store';
import { brokerUrl, repoRoot } from '@fife/testkit';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import type { CalendarConfigShape } from './config.js';
import { putCalendar, type CalendarDocInput } from './documents/calendar-doc.js';
import { CalendarBook } from './service/calendar-book.js';
import { CalendarService } from './service/calendar-service.js';
import { brusselsHours, ics } from './testing/ics.js';
import { createCalendarWhapp, type CalendarWhapp } from './whapp.js';

const STATUS_QUEUE = `fife.calendar.status.test-${process.pid}`;
const ONCALL_QUEUE = `fife.calendar.oncall.test-${process.pid}`;
const MAX_BYTES = 64 * 1024;
const run = promisify(execFile);

let amqpUrl: string;
let dir: string;
let store: Store;
let whapp: CalendarWhapp;
let app: RunningWhapp<CalendarConfigShape>;
let client: Bus;
let account: string;

type Reply = Record<string, any>;

function status(calendarId: string, at?: string, accountId = account): Promise<Reply> {
  return client.request(calendar.statusReq, { 'Account-ID': accountId, 'Calendar-ID': calendarId, ...(at ? { At: at } : {}) }, { timeoutMs: 3000, replies: [calendar.statusResp, genericError] });
}

function oncall(calendarId: string, at?: string): Promise<Reply> {
  return client.request(calendar.oncallReq, { 'Account-ID': account, 'Calendar-ID': calendarId, ...(at ? { At: at } : {}) }, { timeoutMs: 3000, replies: [calendar.oncallResp, genericError] });
}

function put(id: string, doc: CalendarDocInput): Promise<unknown> {
  return putCalendar(store, account, id, doc);
}

const inline = (text: string) => ({ type: 'inline' as const, ics: text });

before(async () => {
  amqpUrl = await brokerUrl();
  dir = await mkdtemp(join(tmpdir(), 'fife-calendar-'));
  store = await openStore({ dataDir: join(dir, 'couch') });
  whapp = createCalendarWhapp();
  app = await startWhapp(whapp.definition, {
    AMQP_URL: amqpUrl,
    COUCH_URL: store.url,
    FIFE_DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    CALENDAR_STATUS_QUEUE: STATUS_QUEUE,
    CALENDAR_ONCALL_QUEUE: ONCALL_QUEUE,
    CALENDAR_FEED_MAX_BYTES: String(MAX_BYTES),
    CALENDAR_FEED_TIMEOUT_MS: '400',
  });
  client = new Bus({ url: amqpUrl, identity: { appName: 'calendar-test', appVersion: '0', node: 'test@local' }, logger: pino({ level: 'silent' }) });
  await client.start();
  account = await store.createAccount({ name: 'Acme', realm: 'acme.example.net' });
  await put('support', { name: 'Support', timezone: 'Europe/Brussels', source: inline(brusselsHours()) });
});

after(async () => {
  await client?.close();
  await app?.stop();
  const conn = await amqp.connect(amqpUrl);
  const ch = await conn.createChannel();
  for (const q of [STATUS_QUEUE, ONCALL_QUEUE]) await ch.deleteQueue(q);
  await conn.close();
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('business hours across DST changes (Europe/Brussels)', () => {
  test('Friday before spring-forward: open until 17:00 CET = 16:00Z', async () => {
    const r = await status('support', '2027-03-26T15:30:00Z');
    assert.equal(r.Status, 'open');
    assert.equal(r.Until, '2027-03-26T16:00:00Z');
    assert.deepEqual(r['Active-Events'].map((e: Reply) => e.UID), ['support-hours@example.net']);
  });

  test('Friday evening: closed until Monday 09:00 CEST = 07:00Z (not 08:00Z)', async () => {
    const r = await status('support', '2027-03-26T16:00:00Z');
    assert.equal(r.Status, 'closed');
    assert.equal(r.Until, '2027-03-29T07:00:00Z');
    assert.deepEqual(r['Active-Events'], []);
    assert.match(r.Reason, /^closed until Mon 29 Mar 09:00 Europe\/Brussels/);
  });

  test('Monday after: open until 17:00 CEST = 15:00Z', async () => {
    const r = await status('support', '2027-03-29T07:00:00Z');
    assert.equal(r.Status, 'open');
    assert.equal(r.Until, '2027-03-29T15:00:00Z');
  });

  test('fall-back weekend: closed from 15:00Z Friday until Monday 09:00 CET = 08:00Z', async () => {
    assert.equal((await status('support', '2027-10-29T14:59:59Z')).Status, 'open');
    const r = await status('support', '2027-10-29T15:00:00Z');
    assert.equal(r.Status, 'closed');
    assert.equal(r.Until, '2027-11-01T08:00:00Z');
  });

  test('At defaults to now and is echoed', async () => {
    const before = Date.now();
    const r = await status('support');
    assert.ok(Date.parse(r.At) >= before - 1000 && Date.parse(r.At) <= Date.now() + 1000, r.At);
    assert.ok(['open', 'closed'].includes(r.Status));
  });
});

describe('closures calendar', () => {
  before(async () => {
    await put('holidays', {
      name: 'Holidays',
      timezone: 'Europe/Brussels',
      source: inline(
        ics(
          ['UID:easter-monday-2027@example.net', 'DTSTART;VALUE=DATE:20270329', 'DTEND;VALUE=DATE:20270330', 'SUMMARY:Easter Monday'],
          ['UID:half-day@example.net', 'DTSTART;TZID=Europe/Brussels:20270401T120000', 'DTEND;TZID=Europe/Brussels:20270401T180000', 'SUMMARY:Staff party'],
        ),
      ),
    });
    await put('support-hol', { name: 'Support with holidays', timezone: 'Europe/Brussels', closures: 'holidays', source: inline(brusselsHours()) });
  });

  test('a holiday closes a working day; the answer names it', async () => {
    const r = await status('support-hol', '2027-03-29T10:00:00Z');
    assert.equal(r.Status, 'closed');
    assert.equal(r.Until, '2027-03-30T07:00:00Z');
    const closure = r['Active-Events'].find((e: Reply) => e.Closure === true);
    assert.equal(closure?.UID, 'easter-monday-2027@example.net');
    assert.equal(closure?.['Calendar-ID'], 'holidays');
    assert.match(r.Reason, /Easter Monday/);
  });

  test('Friday evening before the holiday: closed until Tuesday', async () => {
    const r = await status('support-hol', '2027-03-26T16:30:00Z');
    assert.equal(r.Status, 'closed');
    assert.equal(r.Until, '2027-03-30T07:00:00Z');
  });

  test('a half-day closure ends the open stretch early', async () => {
    const r = await status('support-hol', '2027-04-01T08:00:00Z');
    assert.equal(r.Status, 'open');
    assert.equal(r.Until, '2027-04-01T10:00:00Z');
    assert.equal((await status('support-hol', '2027-04-01T11:00:00Z')).Status, 'closed');
  });

  test('the plain hours calendar is not affected', async () => {
    assert.equal((await status('support', '2027-03-29T10:00:00Z')).Status, 'open');
  });

  test('editing the closures calendar re-indexes the calendar that uses it', async () => {
    await put('holidays', { name: 'Holidays', timezone: 'Europe/Brussels', source: inline(ics(['UID:none@example.net', 'DTSTART;VALUE=DATE:20200101', 'SUMMARY:Long ago'])) });
    const r = await eventually(() => status('support-hol', '2027-03-29T10:00:00Z'), (x) => x.Status === 'open', 1000);
    assert.equal(r.Status, 'open');
  });
});

describe('on-call', () => {
  before(async () => {
    await put('ops-oncall', {
      name: 'Ops on call',
      kind: 'oncall',
      oncall: { users: { 'alice@example.net': 'u-alice', bob: 'u-bob' }, patterns: [{ source: 'summary', regex: '^On call: (?<user>.+)$' }] },
      source: inline(
        ics(
          ['UID:day@example.net', 'DTSTART:20270104T060000Z', 'DTEND:20270104T180000Z', 'RRULE:FREQ=DAILY;COUNT=5', 'SUMMARY:Day shift', 'ATTENDEE;CN=Alice:mailto:Alice@example.net'],
          ['UID:night@example.net', 'DTSTART:20270104T180000Z', 'DTEND:20270105T060000Z', 'RRULE:FREQ=DAILY;COUNT=5', 'SUMMARY:On call: Bob'],
        ),
      ),
    });
  });

  test('who is on call at T, and until when', async () => {
    const day = await oncall('ops-oncall', '2027-01-05T12:00:00Z');
    assert.deepEqual(day['User-IDs'], ['u-alice']);
    assert.equal(day.Until, '2027-01-05T18:00:00Z');
    assert.equal(day['Active-Events'][0].Summary, 'Day shift');
    const night = await oncall('ops-oncall', '2027-01-05T20:00:00Z');
    assert.deepEqual(night['User-IDs'], ['u-bob']);
    assert.equal(night.Until, '2027-01-06T06:00:00Z');
  });

  test('nobody after the rota ends', async () => {
    const r = await oncall('ops-oncall', '2027-01-10T12:00:00Z');
    assert.deepEqual(r['User-IDs'], []);
    assert.equal(r.Until, undefined);
  });

  test('oncall_req on an hours calendar is an error reply', async () => {
    const r = await oncall('support', '2027-01-05T12:00:00Z');
    assert.equal(r['Event-Category'], 'error');
    assert.match(r['Error-Message'], /calendar\.not_oncall/);
  });
});

describe('documents', () => {
  test('an edit re-indexes within 1 s', async () => {
    const at = '2027-01-06T17:30:00Z';
    await put('edit-me', { name: 'Edit me', source: inline(ics(['UID:e', 'DTSTART:20270104T090000Z', 'DTEND:20270104T170000Z', 'RRULE:FREQ=DAILY'])) });
    assert.equal((await status('edit-me', at)).Status, 'closed');
    await put('edit-me', { name: 'Edit me', source: inline(ics(['UID:e', 'DTSTART:20270104T090000Z', 'DTEND:20270104T190000Z', 'RRULE:FREQ=DAILY'])) });
    const t0 = Date.now();
    const r = await eventually(() => status('edit-me', at), (x) => x.Status === 'open', 1000);
    assert.equal(r.Until, '2027-01-06T19:00:00Z');
    assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
  });

  test('an edit re-indexes on every instance (changes feed), not only where it was asked', async () => {
    const second = createCalendarWhapp();
    const app2 = await startWhapp(second.definition, {
      AMQP_URL: amqpUrl,
      COUCH_URL: store.url,
      FIFE_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      CALENDAR_STATUS_QUEUE: STATUS_QUEUE,
      CALENDAR_ONCALL_QUEUE: ONCALL_QUEUE,
    });
    try {
      const at = '2027-01-06T19:30:00Z';
      const q = { 'Account-ID': account, 'Calendar-ID': 'edit-me', At: at };
      const services = [whapp.service!, second.service!];
      for (const s of services) assert.equal((await s.status(q)).Status, 'closed');
      await put('edit-me', { name: 'Edit me', source: inline(ics(['UID:e', 'DTSTART:20270104T090000Z', 'DTEND:20270104T200000Z', 'RRULE:FREQ=DAILY'])) });
      const t0 = Date.now();
      for (const s of services) assert.equal((await eventually(() => s.status(q), (x) => x.Status === 'open', 1000)).Status, 'open');
      assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
    } finally {
      await app2.stop();
    }
  });

  test('unparsable ICS is refused naming line and property; the stored calendars keep answering', async () => {
    const bad = brusselsHours().replace('BYDAY=MO,TU,WE,TH,FR', 'BYDAY=MO,XX');
    await assert.rejects(
      put('support', { name: 'Support', timezone: 'Europe/Brussels', source: inline(bad) }),
      (err) => isFifeError(err) && err.code === 'store.invalid_document' && err.context?.field === 'source.ics' && /line 8, property RRULE/.test(err.message),
    );
    assert.equal((await status('support', '2027-03-29T07:00:00Z')).Status, 'open');
  });

  test('a bad document written around validation is an error for that calendar only', async () => {
    const bad = brusselsHours().replace('FREQ=WEEKLY', 'FREQ=SOMETIMES');
    await store.db(accountDbName(account)).insert({ _id: 'sneaky', pvt_type: 'calendar', name: 'Sneaky', source: { type: 'inline', ics: bad } });
    const r = await status('sneaky', '2027-03-29T07:00:00Z');
    assert.equal(r['Event-Category'], 'error');
    assert.equal(r['Event-Name'], 'calendar_status');
    assert.match(r['Error-Message'], /calendar\.invalid: calendar "sneaky" is invalid: source\.ics: line \d+, property/);
    assert.equal((await status('support', '2027-03-29T07:00:00Z')).Status, 'open');
  });

  test('unknown calendar and unknown account are error replies', async () => {
    const r = await status('no-such-calendar', '2027-03-29T07:00:00Z');
    assert.equal(r['Event-Category'], 'error');
    assert.match(r['Error-Message'], /calendar\.not_found: no calendar "no-such-calendar"/);
    const a = await status('support', undefined, '0123456789abcdef0123456789abcdef');
    assert.match(a['Error-Message'], /calendar\.no_account/);
  });
});

/** A calendar feed on 127.0.0.1:0 whose behaviour the test switches. */
class FeedServer {
  mode: 'v1' | 'v2' | 'garbage' | 'huge' | 'huge-declared' | 'hang' = 'v1';
  readonly requests: IncomingHttpHeaders[] = [];
  private server: Server | undefined;
  url = '';

  static readonly LAST_MODIFIED = 'Mon, 16 Nov 2026 10:00:00 GMT';
  static readonly V1 = ics(['UID:dentist@example.net', 'DTSTART:20270201T100000Z', 'DTEND:20270201T110000Z', 'SUMMARY:Dentist']);
  static readonly V2 = ics(['UID:dentist@example.net', 'DTSTART:20270201T120000Z', 'DTEND:20270201T130000Z', 'SUMMARY:Dentist (moved)']);

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests.push(req.headers);
      const etag = this.mode === 'v2' ? '"v2"' : '"v1"';
      if ((this.mode === 'v1' || this.mode === 'v2') && req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      if (this.mode === 'hang') return; // never answers
      if (this.mode === 'garbage') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in to continue</body></html>');
      if (this.mode === 'huge-declared') {
        const body = FeedServer.V1.replace('SUMMARY:Dentist', `SUMMARY:${'y'.repeat(MAX_BYTES)}`);
        return void res.writeHead(200, { 'content-type': 'text/calendar', 'content-length': Buffer.byteLength(body) }).end(body);
      }
      if (this.mode === 'huge') {
        res.writeHead(200, { 'content-type': 'text/calendar' }); // chunked: no content-length to trust
        const event = ['BEGIN:VEVENT', 'UID:x', 'DTSTART:20270101T000000Z', 'SUMMARY:' + 'x'.repeat(900), 'END:VEVENT', ''].join('\r\n');
        res.write('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n');
        for (let i = 0; i < 100; i++) res.write(event);
        return void res.end('END:VCALENDAR\r\n');
      }
      res.writeHead(200, { 'content-type': 'text/calendar', etag, 'last-modified': FeedServer.LAST_MODIFIED }).end(this.mode === 'v2' ? FeedServer.V2 : FeedServer.V1);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/private-secret/basic.ics`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

describe('remote feeds', () => {
  const feed = new FeedServer();
  before(async () => {
    await feed.start();
    await put('dentist', { name: 'Personal', kind: 'personal', source: { type: 'remote', url: feed.url, refresh_s: 3600 } });
  });
  after(() => feed.stop());

  const poller = () => whapp.service!.book.poller(account, 'dentist')!;

  test('first request fetches the feed and answers from it', async () => {
    const r = await status('dentist', '2027-02-01T10:30:00Z');
    assert.equal(r.Status, 'busy');
    assert.equal(r.Until, '2027-02-01T11:00:00Z');
    assert.equal(r['Active-Events'][0].Summary, 'Dentist');
    assert.equal(feed.requests.length, 1);
  });

  test('a refresh sends the ETag back and takes 304 without rewriting anything', async () => {
    assert.equal(await poller().poll(), 'not_modified');
    assert.equal(feed.requests.at(-1)?.['if-none-match'], '"v1"');
    assert.equal(feed.requests.at(-1)?.['if-modified-since'], FeedServer.LAST_MODIFIED);
    assert.equal(feed.requests[0]?.['if-none-match'], undefined, 'the first fetch is unconditional');
  });

  test('garbage keeps the last good copy', async () => {
    feed.mode = 'garbage';
    assert.equal(await poller().poll(), 'failed');
    assert.equal(poller().status.lastErrorCode, 'calendar.feed_invalid');
    assert.match(poller().status.lastError!, /line 1, property/);
    assert.equal((await status('dentist', '2027-02-01T10:30:00Z')).Status, 'busy');
  });

  test('a feed over the size limit is refused (declared or streamed); the last good copy stays', async () => {
    for (const mode of ['huge', 'huge-declared'] as const) {
      feed.mode = mode;
      assert.equal(await poller().poll(), 'failed');
      assert.equal(poller().status.lastErrorCode, 'calendar.feed_too_large', mode);
      // a declared length is refused before reading; a streamed body when it crosses the limit
      assert.match(poller().status.lastError!, mode === 'huge-declared' ? /is \d+ bytes, more than the 65536 allowed/ : /is more than the 65536 bytes allowed/);
    }
    assert.equal((await status('dentist', '2027-02-01T10:30:00Z')).Status, 'busy');
  });

  test('a feed that does not answer times out; the last good copy stays', async () => {
    feed.mode = 'hang';
    const t0 = Date.now();
    assert.equal(await poller().poll(), 'failed');
    assert.equal(poller().status.lastErrorCode, 'calendar.feed_timeout');
    assert.ok(Date.now() - t0 < 2000);
    assert.equal((await status('dentist', '2027-02-01T10:30:00Z')).Status, 'busy');
  });

  test('a new version is stored and re-indexed', async () => {
    feed.mode = 'v2';
    assert.equal(await poller().poll(), 'fetched');
    const r = await eventually(() => status('dentist', '2027-02-01T10:30:00Z'), (x) => x.Status === 'free', 1000);
    assert.equal(r.Until, '2027-02-01T12:00:00Z');
  });

  test('after a restart with the feed down, the stored copy still answers', async () => {
    await feed.stop();
    const settings = { lookbehindMs: 3_600_000, horizonMs: 400 * 86_400_000, rollMs: 3_600_000, feedMaxBytes: MAX_BYTES, feedTimeoutMs: 400 };
    const book = new CalendarBook(store, settings, pino({ level: 'silent' }));
    try {
      const service = new CalendarService(book);
      const r = await service.status({ 'Account-ID': account, 'Calendar-ID': 'dentist', At: '2027-02-01T12:30:00Z' });
      assert.equal(r.Status, 'busy');
      assert.equal((r['Active-Events'] as { Summary?: string }[])[0]?.Summary, 'Dentist (moved)');
      assert.equal(await book.poller(account, 'dentist')!.poll(), 'failed');
      assert.equal(book.poller(account, 'dentist')!.status.lastErrorCode, 'calendar.feed_unreachable');
    } finally {
      book.close();
    }
  });
});

describe('fife calendar status / oncall (the real CLI over AMQP)', () => {
  async function fife(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const main = join(repoRoot, 'apps', 'cli', 'src', 'main.ts');
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', main, ...args], { cwd: repoRoot, env: { ...process.env, AMQP_URL: amqpUrl } });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  test('status --json prints the status_resp; an unknown calendar exits 1 naming it', async () => {
    const [ok, missing] = await Promise.all([
      fife('calendar', 'status', '--account', account, '--calendar', 'support', '--at', '2027-03-26T16:00:00Z', '--json'),
      fife('calendar', 'status', '--account', account, '--calendar', 'nope', '--at', '2027-03-26T16:00:00Z'),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const reply = JSON.parse(ok.stdout) as Reply;
    assert.equal(reply.Status, 'closed');
    assert.equal(reply.Until, '2027-03-29T07:00:00Z');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /calendar\.not_found: no calendar "nope"/);
  });
});

describe('metrics', () => {
  test('/metrics reports loaded calendars and feed poll outcomes', async () => {
    const text = await (await fetch(`${app.httpUrl}/metrics`)).text();
    const value = (name: string, label = '') =>
      Number(text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label))?.split(' ').at(-1) ?? NaN);
    assert.ok(value('fife_calendar_loaded') >= 5, 'loaded calendars');
    assert.equal(value('fife_calendar_feed_polls_total', 'outcome="not_modified"'), 1);
    assert.equal(value('fife_calendar_feed_polls_total', 'outcome="failed"'), 4);
  });
});

describe('rolling window', () => {
  test('rollAll rebuilds every loaded index over a window starting now', async () => {
    const book = whapp.service!.book;
    const cal = await book.get(account, 'support');
    const rollsBefore = book.stats().rolls;
    await book.rollAll();
    const rolled = await book.get(account, 'support');
    assert.equal(book.stats().rolls, rollsBefore + 1);
    assert.notEqual(rolled.index, cal.index);
    assert.ok(rolled.index.from >= cal.index.from);
    assert.ok(rolled.index.covers(Date.now()));
  });
});

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}
