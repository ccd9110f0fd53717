import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedSkip } from '@fife/testkit';
import {
  authCommand,
  bgapiCommand,
  encodeCommand,
  eventCommand,
  executeCommand,
  hangupCommand,
  maxHeaderArgBytes,
  sendeventCommand,
} from './commands.js';
import { eslErrorCodes } from './errors.js';
import { Subscriptions } from './subscriptions.js';
import { backoffDelay, backoffOptionsSchema } from './backoff.js';
import { freeswitchFixture } from './test-helpers.js';
import { EslClient } from './inbound-client.js';

const clientFrame = (name: string): string => readFileSync(freeswitchFixture('frames', name), 'utf8');

describe('command bytes equal the captured client commands', { skip: sharedSkip }, () => {
  test('auth, event json ALL', () => {
    assert.equal(authCommand('ClueCon').wire.toString(), clientFrame('client-auth.txt'));
    assert.equal(eventCommand('json', ['ALL']).wire.toString(), clientFrame('client-event-json-all.txt'));
  });

  test('sendmsg execute with event-lock and Event-UUID', () => {
    const built = executeCommand('35024bf2-e051-4615-9a71-e9cf05bd8a51', 'playback', 'tone_stream://%(300,100,440);loops=2', {
      eventLock: true,
      eventUuid: 'df5a882a-901c-4dee-8070-0750763dd25a',
    });
    assert.equal(built.wire.toString(), clientFrame('client-sendmsg-execute.txt'));
    assert.equal(built.eventUuid, 'df5a882a-901c-4dee-8070-0750763dd25a');
  });

  test('sendmsg execute with the argument in a text/plain body', () => {
    const built = executeCommand('35024bf2-e051-4615-9a71-e9cf05bd8a51', 'set', 'capture_var=hello world', {
      eventUuid: '7b984242-f058-4b78-ae8c-28621a29ccb9',
      argInBody: true,
    });
    assert.equal(built.wire.toString(), clientFrame('client-sendmsg-execute-body.txt'));
  });

  test('sendmsg hangup, outbound sendmsg without uuid, bgapi with Job-UUID, sendevent with body', () => {
    assert.equal(hangupCommand('35024bf2-e051-4615-9a71-e9cf05bd8a51').wire.toString(), clientFrame('client-sendmsg-hangup.txt'));
    assert.equal(
      executeCommand(undefined, 'answer', undefined, { eventLock: true, eventUuid: false }).wire.toString(),
      clientFrame('client-outbound-sendmsg-no-uuid.txt'),
    );
    assert.equal(
      bgapiCommand(
        "originate {origination_caller_id_number=9000,origination_caller_id_name=Capture}loopback/9999/default &park()",
        '8268c210-a1da-4b0b-a4be-7a3c39701005',
      ).wire.toString(),
      clientFrame('client-bgapi-with-job-uuid.txt'),
    );
    assert.equal(
      sendeventCommand('CUSTOM', [['Event-Subclass', 'capture::test'], ['X-Note', 'hello world & more']], 'body: 1 2 3').wire.toString(),
      clientFrame('client-sendevent.txt'),
    );
  });
});

describe('command encoding rules', () => {
  test('an argument with a line break or longer than the limit goes in a body with a byte count', () => {
    const multi = executeCommand('u', 'set', 'a=b\nc=d', { eventUuid: 'e' }).wire.toString();
    assert.equal(multi, 'sendmsg u\ncall-command: execute\nexecute-app-name: set\nEvent-UUID: e\ncontent-type: text/plain\ncontent-length: 7\n\na=b\nc=d');
    const long = 'ü'.repeat(maxHeaderArgBytes);
    const wire = executeCommand('u', 'set', long, { eventUuid: 'e' }).wire;
    assert.match(wire.toString(), new RegExp(`content-length: ${Buffer.byteLength(long)}\\n\\n`));
    assert.ok(!wire.toString().includes('execute-app-arg'));
  });

  test('loops, async and a generated Event-UUID', () => {
    const built = executeCommand('u', 'playback', 'x.wav', { loops: 3, async: true });
    assert.match(built.eventUuid!, /^[0-9a-f-]{36}$/);
    assert.match(built.wire.toString(), /\nloops: 3\nasync: true\nEvent-UUID: [0-9a-f-]{36}\n\n$/);
  });

  test('a line break in a command or header is refused (it would inject a command)', () => {
    assert.throws(() => encodeCommand('api status\n\nexit'), (e: { code?: string }) => e.code === eslErrorCodes.invalidCommand);
    assert.throws(() => encodeCommand('bgapi status', [['Job-UUID', 'x\nexit']]), (e: { code?: string }) => e.code === eslErrorCodes.invalidCommand);
    assert.throws(() => encodeCommand('  '), (e: { code?: string }) => e.code === eslErrorCodes.invalidCommand);
  });

  test('auth commands are labelled without the password', () => {
    assert.equal(authCommand('secret').label, 'auth');
  });
});

describe('Subscriptions', () => {
  test('names are deduplicated, subclasses go after CUSTOM, the client keeps its own events', () => {
    const subs = new Subscriptions(['BACKGROUND_JOB', 'HEARTBEAT']);
    assert.deepEqual(subs.add(['channel_create', 'CHANNEL_ANSWER', 'sofia::register', 'HEARTBEAT']), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CUSTOM', 'sofia::register']);
    assert.deepEqual(subs.add(['CHANNEL_CREATE']), []);
    assert.deepEqual(subs.remove(['HEARTBEAT', 'channel_answer']), ['CHANNEL_ANSWER']);
    assert.deepEqual(subs.restoreCommands('json').map((c) => c.wire.toString()), [
      'event json BACKGROUND_JOB HEARTBEAT CHANNEL_CREATE CUSTOM sofia::register\n\n',
    ]);
  });

  test('the first filter brings the client filters; the last removal drops them all', () => {
    const subs = new Subscriptions(['BACKGROUND_JOB']);
    assert.deepEqual(subs.addFilter('Unique-ID', 'abc').map((c) => c.label), ['filter Event-Name BACKGROUND_JOB', 'filter Unique-ID abc']);
    assert.deepEqual(subs.addFilter('Unique-ID', 'def').map((c) => c.label), ['filter Unique-ID def']);
    assert.deepEqual(subs.restoreCommands('plain').map((c) => c.label), [
      'event plain BACKGROUND_JOB',
      'filter Event-Name BACKGROUND_JOB',
      'filter Unique-ID abc',
      'filter Unique-ID def',
    ]);
    assert.deepEqual(subs.removeFilter('Unique-ID', 'abc').map((c) => c.label), ['filter delete Unique-ID abc']);
    assert.deepEqual(subs.removeFilter('Unique-ID').map((c) => c.label), ['filter delete all']);
    assert.deepEqual(subs.restoreCommands('plain').map((c) => c.label), ['event plain BACKGROUND_JOB']);
  });
});

describe('options', () => {
  test('a bad option is a FifeError naming it', () => {
    assert.throws(
      () => new EslClient({ port: 70000 }),
      (e: { code?: string; message: string }) => e.code === eslErrorCodes.invalidOptions && /port/.test(e.message),
    );
  });
});

describe('backoff', () => {
  test('grows exponentially, is capped, and jitter only shortens it', () => {
    const options = backoffOptionsSchema.parse({ initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 });
    assert.deepEqual([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, options, () => 0)), [100, 200, 400, 800, 1000, 1000]);
    assert.equal(backoffDelay(2, options, () => 1), 200);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, options);
      assert.ok(d >= 400 && d <= 800);
    }
  });
});
