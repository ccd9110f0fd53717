// Bad-input campaign, documents: invalid ICS and invalid call-group extensions are refused on write
// with the field named (nothing stored changes); documents written past the validation (straight into
// CouchDB) get a clear error or a warning from the running whapp, never a crash or a hang.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pino from 'pino';
import { calendar, callgroup, genericError, isFifeError, system } from '@fife/api';
import { Bus } from '@fife/bus';
import { accountDbName, openStore, startEmbeddedCouch, type EmbeddedCouch, type Store } from '@fife/store';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import { callgroupWhapp, putExtension, type ExtensionDocInput } from '@fife/callgroup';
import { putCalendar, type CalendarDocInput } from '@fife/calendar';
import { createCalendarWhapp } from '../../apps/calendar/src/whapp.js';
import { couchSnapshot, printTable, snapshotDiff, tempDir } from './support.js';
import { ICS_OPEN_ALWAYS } from './cluster.js';
import { testVhost, deleteQueues } from '@fife/testkit';

const STATUS_QUEUE = `fife.calendar.status.bad-input-${process.pid}`;
const ONCALL_QUEUE = `fife.calendar.oncall.bad-input-${process.pid}`;
const PLAN_QUEUE = `fife.callgroup.plan.bad-input-${process.pid}`;

const vcal = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//fife//bad-input//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
const vevent = (...lines: string[]) => ['BEGIN:VEVENT', 'UID:e@bad-input', 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'];
const inline = (ics: string): CalendarDocInput => ({ name: 'Hostile', timezone: 'UTC', source: { type: 'inline', ics } });

/**
 * Calendars that must be refused, with the field the refusal names. (An unknown TZID is not among them:
 * like libical, the engine reads such times as floating, in the calendar's zone.)
 */
const BAD_CALENDARS: Array<[string, CalendarDocInput, string]> = [
  ['empty ICS', inline(''), 'source.ics'],
  ['not iCalendar at all', inline('hello, world'), 'source.ics'],
  ['binary garbage', inline(Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 131) % 256)).toString('latin1')), 'source.ics'],
  ['VCALENDAR never closed', inline('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n'), 'source.ics'],
  ['DTSTART not a date', inline(vcal(...vevent('DTSTART:2026-13-45T99:99:99', 'DTEND:20260101T100000Z'))), 'source.ics'],
  ['DTSTART: hello', inline(vcal(...vevent('DTSTART:hello', 'DTEND:20260101T100000Z'))), 'source.ics'],
  ['DTSTART on 30 February', inline(vcal(...vevent('DTSTART:20260230T090000Z', 'DTEND:20260301T100000Z'))), 'source.ics'],
  ['EXDATE with a 25th hour', inline(vcal(...vevent('DTSTART:20260101T090000Z', 'DTEND:20260101T100000Z', 'RRULE:FREQ=DAILY', 'EXDATE:20260102T250000Z'))), 'source.ics'],
  ['RRULE with an unknown FREQ', inline(vcal(...vevent('DTSTART:20260101T090000Z', 'DTEND:20260101T100000Z', 'RRULE:FREQ=SOMETIMES'))), 'source.ics'],
  ['unknown time zone of the calendar', { ...inline(ICS_OPEN_ALWAYS), timezone: 'Mars/Olympus_Mons' }, 'timezone'],
  ['remote feed with a file: URL', { name: 'Feed', source: { type: 'remote', url: 'file:///etc/passwd' } }, 'source.url'],
  ['remote feed with a javascript: URL', { name: 'Feed', source: { type: 'remote', url: 'javascript:alert(1)' } }, 'source.url'],
  ['remote feed refreshed every second', { name: 'Feed', source: { type: 'remote', url: 'https://example.org/x.ics', refresh_s: 1 } }, 'source.refresh_s'],
  ['unknown source type', { name: 'Feed', source: { type: 'ftp', url: 'ftp://x' } } as never, 'source.type'],
  ['on-call calendar without its mapping', { ...inline(ICS_OPEN_ALWAYS), kind: 'oncall' }, 'oncall'],
  ['name missing', { timezone: 'UTC', source: { type: 'inline', ics: ICS_OPEN_ALWAYS } } as never, 'name'],
];

/** Extensions that must be refused, with the field the refusal names. */
const BAD_EXTENSIONS: Array<[string, ExtensionDocInput, string]> = [
  ['extension not a number', { ext: 'abc;drop' } as never, 'ext'],
  ['unknown type', { ext: '3001', type: 'PHONEBOOTH' } as never, 'type'],
  ['static target with dial-string syntax', { ext: '3002', static_target: 'sofia/internal/a,sofia/gateway/evil/900' }, 'static_target'],
  ['static target with a variable block', { ext: '3003', static_target: '{origination_caller_id_number=666}loopback/1' }, 'static_target'],
  ['forward without a target', { ext: '3004', forward: { mode: 'ON_BUSY', delay: 0 } } as never, 'forward.to'],
  ['NEXT rank without a delay', { ext: '3005', type: 'GROUP', ranks: [{ mode: 'NEXT', members: [{ ext: '1001' }] }] } as never, 'ranks.0.delay'],
  ['outgoing extension with letters', { ext: '3006', outgoing_extension: '12ab' }, 'outgoing_extension'],
  ['256 KB name', { ext: '3007', name: 'n'.repeat(256 * 1024) }, 'name'],
];

describe('invalid calendar and call-group documents', { timeout: 60_000 }, () => {
  let couch: EmbeddedCouch;
  let store: Store;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let amqpUrl: string;
  let calendarApp: RunningWhapp<any>;
  let callgroupApp: RunningWhapp<any>;
  let client: Bus;
  let accountId: string;
  const figures: Array<Array<string | number>> = [];

  before(async () => {
    dir = await tempDir('documents');
    couch = await startEmbeddedCouch({ dataDir: join(dir.path, 'couch') });
    store = await openStore({ couchUrl: couch.url });
    amqpUrl = await testVhost('bad-input-documents');
    const base = { AMQP_URL: amqpUrl, COUCH_URL: couch.url, FIFE_DATA_DIR: dir.path, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', HTTP_PORT: '0', DRAIN_TIMEOUT_MS: '2000' };
    calendarApp = await startWhapp(createCalendarWhapp().definition, { ...base, CALENDAR_STATUS_QUEUE: STATUS_QUEUE, CALENDAR_ONCALL_QUEUE: ONCALL_QUEUE });
    callgroupApp = await startWhapp(callgroupWhapp, { ...base, CALLGROUP_QUEUE: PLAN_QUEUE, CALLGROUP_BUSY_LOOKUP: 'off', CALLGROUP_REG_TIMEOUT_MS: '50' });
    client = new Bus({ url: amqpUrl, identity: { appName: 'bad-input', appVersion: '0', node: 'bad-input@test' }, logger: pino({ level: 'silent' }) });
    await client.start();
    accountId = await store.createAccount({ name: 'Documents', realm: `documents-${process.pid}.example.org` });
    await putCalendar(store, accountId, 'hours', inline(ICS_OPEN_ALWAYS));
    await putExtension(store, accountId, { ext: '1001' });
    await putExtension(store, accountId, { ext: '2000', type: 'GROUP', ranks: [{ members: [{ ext: '1001' }] }] });
  });

  after(async () => {
    printTable('invalid documents: refusals on write and answers to documents written past validation', ['document', 'case', 'outcome'], figures);
    await client?.close();
    await callgroupApp?.stop();
    await calendarApp?.stop();
    await store?.close();
    await couch?.stop();
    await deleteQueues(amqpUrl, [STATUS_QUEUE, ONCALL_QUEUE, PLAN_QUEUE, `${STATUS_QUEUE}.provisioning`, `${PLAN_QUEUE}.provisioning`]).catch(() => undefined);
    await dir?.remove();
  });

  const status = (calendarId: string) =>
    client.request(calendar.statusReq, { 'Account-ID': accountId, 'Calendar-ID': calendarId } as never, { timeoutMs: 5000, replies: [calendar.statusResp, genericError] });
  const plan = (called: string) =>
    client.request(callgroup.planReq, { 'Account-ID': accountId, 'Called-Number': called, 'Caller-ID-Number': '555' } as never, {
      timeoutMs: 5000,
      replies: [callgroup.planResp, genericError],
    });

  test('invalid calendars are refused with the field named; the stored calendar is untouched', async () => {
    const before = await couchSnapshot(couch.url);
    for (const [name, doc, field] of BAD_CALENDARS) {
      // Written over the good calendar's id: a refusal must leave it as it was.
      const err = await putCalendar(store, accountId, 'hours', doc).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isFifeError(err, 'store.invalid_document'), `${name}: refused (${String(err)})`);
      assert.equal(err.context.field, field, `${name}: field named (${err.message.slice(0, 200)})`);
      figures.push(['calendar', name, `refused: ${field}: ${err.message.replace(/^.*?: /, '').slice(0, 70)}`]);
    }
    assert.deepEqual(snapshotDiff(before, await couchSnapshot(couch.url)), []);
    assert.equal((await status('hours'))['Event-Name'], 'status_resp');
  });

  test('invalid call-group extensions are refused with the field named; nothing is written', async () => {
    const before = await couchSnapshot(couch.url);
    for (const [name, doc, field] of BAD_EXTENSIONS) {
      const err = await putExtension(store, accountId, doc).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isFifeError(err, 'store.invalid_document'), `${name}: refused (${String(err)})`);
      assert.equal(err.context.field, field, `${name}: field named (${err.message.slice(0, 200)})`);
      figures.push(['callgroup', name, `refused: ${field}`]);
    }
    assert.deepEqual(snapshotDiff(before, await couchSnapshot(couch.url)), []);
  });

  test('documents written straight into CouchDB, past validation: clear errors or warnings, the whapps keep answering', async () => {
    const db = store.db(accountDbName(accountId));
    await db.insert({ _id: 'raw-garbage-ics', pvt_type: 'calendar', name: 'Raw', timezone: 'UTC', source: { type: 'inline', ics: 'BEGIN:VCALENDAR\r\nthis is not ICS' } } as never);
    await db.insert({ _id: 'raw-no-source', pvt_type: 'calendar', name: 'Raw' } as never);
    await db.insert({ _id: 'raw-wrong-types', pvt_type: 'calendar', name: 42, source: 'inline', timezone: ['UTC'] } as never);
    for (const id of ['raw-garbage-ics', 'raw-no-source', 'raw-wrong-types']) {
      const reply = await status(id);
      assert.equal(reply['Event-Name'], 'calendar_status', `${id}: an error reply`);
      assert.match(String(reply['Error-Message']), /invalid/, `${id}: ${reply['Error-Message']}`);
      figures.push(['calendar (raw)', id, String(reply['Error-Message']).slice(0, 90)]);
    }
    assert.equal((await status('hours'))['Event-Name'], 'status_resp', 'the valid calendar still answers');

    await db.insert({ _id: 'cgext-4001', pvt_type: 'callgroup_extension', ext: '4001', type: 'GROUP', ranks: 'everyone' } as never);
    await db.insert({ _id: 'cgext-4002', pvt_type: 'callgroup_extension', ext: '4002', type: 'GROUP', ranks: [{ members: [{ ext: '4003' }] }] } as never);
    await db.insert({ _id: 'cgext-4003', pvt_type: 'callgroup_extension', ext: '4003', type: 'GROUP', ranks: [{ members: [{ ext: '4002' }] }] } as never);
    await db.insert({ _id: 'cgext-4004', pvt_type: 'callgroup_extension', ext: '4004', static_target: 'a,b|c' } as never);
    for (const called of ['4001', '4002', '4004', '2000']) {
      const reply = await plan(called);
      const outcome = reply['Event-Name'] === 'plan_resp' ? `${reply.Status}${(reply.Warnings as string[] | undefined)?.length ? `, warnings: ${(reply.Warnings as string[]).join('; ')}` : ''}` : String(reply['Error-Message']);
      figures.push(['callgroup (raw)', called, outcome.slice(0, 110)]);
      assert.ok(['plan_resp', 'callgroup_plan'].includes(String(reply['Event-Name'])), `${called}: answered (${outcome})`);
      const dial = String((reply.Rendering as { dial_string?: string } | undefined)?.dial_string ?? '');
      assert.ok(!dial.includes('a,b|c'), `${called}: the raw static target never reaches a dial string (${dial})`);
    }
    assert.equal((await plan('2000')).Status, 'ringing', 'the valid group still rings');
    for (const name of ['calendar', 'callgroup']) {
      const pongs = await client.collect(system.pingReq, { App: name } as never, { timeoutMs: 1500, replies: [system.pingResp], count: 1 });
      assert.equal(pongs.length, 1, `${name} answers ping`);
    }
  });
});
