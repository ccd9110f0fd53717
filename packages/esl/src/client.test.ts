import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { sharedSkip } from '@fife/testkit';
import type { FifeError } from '@fife/api';
import { EslClient, type EslClientOptions } from './inbound-client.js';
import { EslConnection } from './connection.js';
import { eslErrorCodes } from './errors.js';
import { eventName, type EslEvent } from './event.js';
import { encodeEventFrame, encodeFrame } from './frame.js';
import { encodeJsonEvent } from './event-codec.js';
import type { DisconnectNotice, EslMessage } from './message.js';
import { ScriptedServer, transcriptReplay, type ClientCommand, type Peer } from './scripted-server.js';
import { freeswitchFixture, loadTranscript } from './test-helpers.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'no unhandled rejections');
});

const AUTH_REQUEST = 'Content-Type: auth/request\n\n';
const reply = (text: string, extra: Record<string, string> = {}): Buffer =>
  encodeFrame({ 'Content-Type': 'command/reply', 'Reply-Text': text, ...extra });
const apiResponse = (body: string): Buffer => encodeFrame([['Content-Type', 'api/response'], ['Content-Length', String(Buffer.byteLength(body))]], body);
const DISCONNECT = encodeFrame(
  [['Content-Type', 'text/disconnect-notice'], ['Content-Length', '67']],
  'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n',
);

function jsonEventFrame(event: EslEvent): Buffer {
  return encodeEventFrame('text/event-json', encodeJsonEvent(event));
}

function backgroundJob(jobUuid: string, body: string): EslEvent {
  return { headers: { 'Event-Name': 'BACKGROUND_JOB', 'Core-UUID': 'core-1', 'Job-UUID': jobUuid, 'Job-Command': 'status' }, body };
}

/** A small FreeSWITCH-like peer: auth, event, filter, api, bgapi (+ BACKGROUND_JOB), exit; extra rules first. */
function fakeFreeswitch(extra: (peer: Peer, command: ClientCommand) => boolean = () => false) {
  return {
    onConnect: (peer: Peer) => peer.write(AUTH_REQUEST),
    onCommand: (peer: Peer, command: ClientCommand) => {
      if (extra(peer, command)) return;
      const [verb, ...rest] = command.line.split(' ');
      if (verb === 'auth') return peer.write(rest[0] === 'ClueCon' ? reply('+OK accepted') : reply('-ERR invalid'));
      if (verb === 'event') return peer.write(reply(`+OK event listener enabled ${rest[0]}`));
      if (verb === 'filter') return peer.write(reply(`+OK filter added. [${rest[0]}]=[${rest[1]}]`));
      if (verb === 'nixevent') return peer.write(reply('+OK events nixed'));
      if (verb === 'api' && rest[0] === 'status') return peer.write(apiResponse('UP 0 years\nFreeSWITCH is ready\n'));
      if (verb === 'api') return peer.write(apiResponse(`-ERR ${rest[0]} Command not found!\n`));
      if (verb === 'bgapi') {
        const job = command.headers['job-uuid']!;
        peer.write(Buffer.concat([reply(`+OK Job-UUID: ${job}`, { 'Job-UUID': job }), jsonEventFrame(backgroundJob(job, `+OK ran ${rest.join(' ')}\n`))]));
        return;
      }
      if (verb === 'exit') {
        peer.write(Buffer.concat([reply('+OK bye'), DISCONNECT]));
        peer.socket.end();
        return;
      }
      peer.write(reply('-ERR command not found'));
    },
  };
}

const fast: EslClientOptions = {
  liveness: { mode: 'off' },
  reconnect: { initialDelayMs: 10, maxDelayMs: 50, factor: 2, jitter: 0.2 },
  commandTimeoutMs: 1_000,
  connectTimeoutMs: 1_000,
};

/** Unlike events.once, does not reject when an 'error' is emitted meanwhile. */
function nextEvent<T extends unknown[]>(emitter: EslClient, name: 'up' | 'down' | 'disconnect-notice'): Promise<T> {
  return new Promise<T>((resolve) => emitter.once(name, (...args: unknown[]) => resolve(args as T)));
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('EslClient against the main transcript replayed', { skip: sharedSkip }, () => {
  test('sends exactly the recorded commands and gets the recorded answers and 303 events', async () => {
    const transcript = loadTranscript('main');
    const server = await ScriptedServer.start(transcriptReplay(transcript));
    const client = new EslClient({ ...fast, port: server.port, events: ['ALL'], reconnect: false });
    const events: EslEvent[] = [];
    const notices: DisconnectNotice[] = [];
    client.on('event', (e) => events.push(e));
    client.on('disconnect-notice', (n) => notices.push(n));
    try {
      await client.ready();
      assert.match(await client.api('status'), /FreeSWITCH \(Version 1\.10\.12-release {2}64bit\) is ready/);
      assert.equal(await client.api('show channels as json'), '{"row_count": 0}\n');
      assert.match(await client.api('version'), /^FreeSWITCH Version 1\.10\.12/);
      await client.api('sofia status');
      assert.equal(await client.api('show registrations as json'), '{"row_count": 0}\n');
      await client.api('sofia status profile internal reg');
      assert.match(await client.api('show channels as json'), /"row_count":2/);
      await client.api('show calls as json');
      const uuid = '35024bf2-e051-4615-9a71-e9cf05bd8a51';
      const answer = await client.execute(uuid, 'answer', undefined, { eventLock: true, eventUuid: '12801ba8-ff63-44f5-aedc-f8d95c1bcf9a' });
      assert.equal(answer.reply.replyText, '+OK');
      await client.execute(uuid, 'playback', 'tone_stream://%(300,100,440);loops=2', { eventLock: true, eventUuid: 'df5a882a-901c-4dee-8070-0750763dd25a' });
      await client.execute(uuid, 'set', 'capture_var=hello world', { eventUuid: '7b984242-f058-4b78-ae8c-28621a29ccb9', argInBody: true });
      assert.equal(await client.uuidGetvar(uuid, 'capture_var'), 'hello world');
      await client.hangup(uuid);
      const jobs = [
        client.bgapi('originate {origination_caller_id_number=9000,origination_caller_id_name=Capture}loopback/9999/default &park()', {
          jobUuid: '8268c210-a1da-4b0b-a4be-7a3c39701005',
        }),
        client.bgapi('originate user/1999@127.0.0.1 &park()', { jobUuid: false }),
        client.bgapi('originate user/1000@127.0.0.1 &park()', { jobUuid: false }),
        client.bgapi('originate {origination_caller_id_number=9001}loopback/8084/default &park()', { jobUuid: false }),
      ];
      const lastApi = client.api('show channels as json');
      const results = await Promise.all(jobs);
      assert.equal(results[0]!.jobUuid, '8268c210-a1da-4b0b-a4be-7a3c39701005');
      assert.ok(results[0]!.ok && /^\+OK [0-9a-f-]{36}\n$/.test(results[0]!.body));
      assert.deepEqual(results.slice(1, 3).map((r) => [r.ok, r.body]), [
        [false, '-ERR SUBSCRIBER_ABSENT\n'],
        [false, '-ERR NORMAL_TEMPORARY_FAILURE\n'],
      ]);
      assert.ok(results[3]!.ok);
      await lastApi;
      await client.stop();

      const peer = server.peers[0]!;
      const recorded = transcript.clientCommands;
      assert.equal(peer.received.length, recorded.length);
      peer.received.forEach((command, i) => assert.equal(command.raw.toString(), recorded[i]!.toString(), `command ${i}`));
      const recordedNames = transcript.serverFrames
        .filter((f) => f.includes('Content-Type: text/event-json'))
        .map((f) => (JSON.parse(f.toString('utf8', f.indexOf('\n\n') + 2)) as { 'Event-Name': string })['Event-Name']);
      assert.equal(events.length, 303);
      assert.deepEqual(events.map(eventName), recordedNames);
      assert.equal(notices.length, 1);
    } finally {
      await client.stop();
      await server.close();
    }
  });
});

describe('EslConnection against the commands transcript replayed', { skip: sharedSkip }, () => {
  test('replies match commands in order while plain, xml and json events and a log line interleave', async () => {
    const transcript = loadTranscript('commands');
    const server = await ScriptedServer.start(transcriptReplay(transcript));
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    const messages: EslMessage[] = [];
    const errors: FifeError[] = [];
    let closed: FifeError | undefined;
    const connection = new EslConnection(socket, {
      onMessage: (m) => messages.push(m),
      onError: (e) => errors.push(e),
      onClose: (reason) => (closed = reason),
    });
    try {
      await waitFor(() => messages.length === 1, 'auth/request');
      const replies = [];
      for (const line of transcript.lines.filter((l) => l.dir === 'client')) {
        const expects = line.data.startsWith('api ') ? ('api' as const) : ('reply' as const);
        replies.push(await connection.send({ wire: Buffer.from(line.data), expects, label: line.data.split('\n')[0]! }));
      }
      const texts = replies.map((r) => (r.type === 'command-reply' ? r.reply.replyText : r.body.trimEnd()));
      assert.deepEqual(texts.slice(0, 4), ['+OK accepted', '-ERR command not found', '-ERR no keywords supplied', '+OK event listener enabled plain']);
      assert.equal(texts[4], '+OK Job-UUID: d29ce9f8-2b69-4268-b7b6-8553cc18fb85');
      assert.ok(texts.includes('-ERR not controlling a session'));
      assert.ok(texts.includes('-ERR nosuchcommand Command not found!'));
      assert.equal(texts[texts.length - 1], '+OK bye');
      await waitFor(() => closed !== undefined, 'close');
      const kinds = messages.map((m) => (m.type === 'event' ? `event-${m.format}` : m.type));
      assert.deepEqual([...new Set(kinds)].sort(), ['auth-request', 'disconnect-notice', 'event-json', 'event-plain', 'event-xml', 'log']);
      assert.deepEqual(errors, []);
    } finally {
      socket.destroy();
      await server.close();
    }
  });
});

describe('EslClient against a scripted server', () => {
  test('auth, subscriptions, filters, bgapi; reconnect re-authenticates and re-applies them', async () => {
    const server = await ScriptedServer.start(fakeFreeswitch());
    const client = new EslClient({ ...fast, port: server.port, events: ['CHANNEL_CREATE', 'sofia::register'] });
    try {
      const up = nextEvent(client, 'up');
      client.start();
      await up;
      await client.filter('Unique-ID', 'abc');
      const job = await client.bgapi('status');
      assert.equal(job.body, '+OK ran status\n');
      assert.ok(job.ok);
      const first = server.peers[0]!.received.map((c) => c.raw.toString());
      assert.deepEqual(first.slice(0, 4), [
        'auth ClueCon\n\n',
        'event json BACKGROUND_JOB CHANNEL_CREATE CUSTOM sofia::register\n\n',
        'filter Event-Name BACKGROUND_JOB\n\n',
        'filter Unique-ID abc\n\n',
      ]);

      const down = nextEvent<[FifeError]>(client, 'down');
      const upAgain = nextEvent(client, 'up');
      server.peers[0]!.socket.destroy();
      const [reason] = await down;
      assert.equal(reason.code, eslErrorCodes.disconnected);
      const whileDown = client.api('status');
      await upAgain;
      assert.match(await whileDown, /is ready/);
      assert.equal(server.peers.length, 2);
      assert.deepEqual(server.peers[1]!.received.slice(0, 4).map((c) => c.raw.toString()), first.slice(0, 4));
    } finally {
      await client.stop();
      await server.close();
    }
  });

  test('subscriptions changed while a connection is being set up still reach it; log lines are emitted', async () => {
    const server = await ScriptedServer.start(
      fakeFreeswitch((peer, command) => {
        if (command.line.startsWith('event json BACKGROUND_JOB')) {
          setTimeout(() => peer.write(reply('+OK event listener enabled json')), 60);
          return true;
        }
        if (command.line === 'log 6') {
          const text = '2026-11-22 05:42:46.583466 [INFO] mod_commands.c:7200 hello\n';
          peer.write(Buffer.concat([reply('+OK log level 6 [6]'), encodeFrame([['Content-Type', 'log/data'], ['Content-Length', String(text.length)], ['Log-Level', '6']], text)]));
          return true;
        }
        return false;
      }),
    );
    const client = new EslClient({ ...fast, port: server.port });
    const lines: string[] = [];
    client.on('log', (line) => lines.push(line.text));
    try {
      client.start();
      await waitFor(() => server.peers[0]?.received.length === 2, 'restore in progress');
      await client.subscribe(['DTMF']);
      await client.filter('Unique-ID', 'u-1');
      await client.ready();
      assert.deepEqual(server.peers[0]!.received.map((c) => c.line), [
        'auth ClueCon',
        'event json BACKGROUND_JOB',
        'event json DTMF',
        'filter Event-Name BACKGROUND_JOB',
        'filter Unique-ID u-1',
      ]);
      await client.log(6);
      await waitFor(() => lines.length === 1, 'log line');
      assert.match(lines[0]!, /hello/);
    } finally {
      await client.stop();
      await server.close();
    }
  });

  test('a command past its deadline rejects with esl.timeout; its late reply is not given to the next command', async () => {
    let held: Peer | undefined;
    const server = await ScriptedServer.start(
      fakeFreeswitch((peer, command) => {
        if (command.line === 'api sleep') {
          held = peer;
          return true;
        }
        if (command.line === 'api status' && held !== undefined) {
          peer.write(Buffer.concat([apiResponse('late sleep reply\n'), apiResponse('UP fresh status\n')]));
          held = undefined;
          return true;
        }
        return false;
      }),
    );
    const client = new EslClient({ ...fast, port: server.port });
    try {
      await client.ready();
      const started = Date.now();
      await assert.rejects(client.api('sleep', { timeoutMs: 80 }), (e: FifeError) => e.code === eslErrorCodes.timeout);
      assert.ok(Date.now() - started < 1_000);
      assert.equal(await client.api('status'), 'UP fresh status\n');
      await assert.rejects(client.api('nosuch'), (e: FifeError) => e.code === eslErrorCodes.commandFailed);
      await assert.rejects(client.api('status\nexit'), (e: FifeError) => e.code === eslErrorCodes.invalidCommand);
    } finally {
      await client.stop();
      await server.close();
    }
  });

  test('executeAndWait resolves with the CHANNEL_EXECUTE_COMPLETE carrying its Event-UUID', async () => {
    const server = await ScriptedServer.start(
      fakeFreeswitch((peer, command) => {
        if (!command.line.startsWith('sendmsg')) return false;
        if (command.line === 'sendmsg bogus') {
          peer.write(reply('-ERR invalid session id [bogus]'));
          return true;
        }
        const complete = (appUuid: string, response: string): Buffer =>
          jsonEventFrame({
            headers: {
              'Event-Name': 'CHANNEL_EXECUTE_COMPLETE',
              'Unique-ID': 'chan-1',
              'Application': command.headers['execute-app-name']!,
              'Application-UUID': appUuid,
              'Application-Response': response,
            },
          });
        peer.write(reply('+OK'));
        setTimeout(() => peer.write(Buffer.concat([complete('someone-else', 'no'), complete(command.headers['event-uuid']!, '_none_')])), 20);
        return true;
      }),
    );
    const client = new EslClient({ ...fast, port: server.port, events: ['CHANNEL_EXECUTE_COMPLETE'] });
    try {
      await client.ready();
      const done = await client.executeAndWait('chan-1', 'playback', 'tone_stream://%(100,0,440)', { eventLock: true });
      assert.equal(done.headers.Application, 'playback');
      assert.equal(done.headers['Application-Response'], '_none_');
      assert.equal(done.headers['Application-UUID'], server.peers[0]!.received.at(-1)!.headers['event-uuid']);
      await assert.rejects(client.executeAndWait('bogus', 'answer'), (e: FifeError) => e.code === eslErrorCodes.commandFailed);
    } finally {
      await client.stop();
      await server.close();
    }
  });

  test('a bgapi whose BACKGROUND_JOB never comes rejects with esl.job_timeout', async () => {
    const server = await ScriptedServer.start(
      fakeFreeswitch((peer, command) => {
        if (!command.line.startsWith('bgapi')) return false;
        peer.write(reply(`+OK Job-UUID: ${command.headers['job-uuid']}`, { 'Job-UUID': command.headers['job-uuid']! }));
        return true;
      }),
    );
    const client = new EslClient({ ...fast, port: server.port });
    try {
      await client.ready();
      await assert.rejects(client.bgapi('originate x', { timeoutMs: 60 }), (e: FifeError) => e.code === eslErrorCodes.jobTimeout);
    } finally {
      await client.stop();
      await server.close();
    }
  });

  test('a wrong password is reported as esl.auth_failed; a disconnect notice is emitted', async () => {
    const server = await ScriptedServer.start(
      fakeFreeswitch((peer, command) => {
        if (!command.line.startsWith('auth')) return false;
        peer.write(Buffer.concat([reply('-ERR invalid'), DISCONNECT]));
        peer.socket.end();
        return true;
      }),
    );
    const client = new EslClient({ ...fast, port: server.port, password: 'WrongPassword', reconnect: false });
    const errors: FifeError[] = [];
    const notices: DisconnectNotice[] = [];
    client.on('error', (e) => errors.push(e));
    client.on('disconnect-notice', (n) => notices.push(n));
    try {
      await assert.rejects(client.ready(500), (e: FifeError) => e.code === eslErrorCodes.disconnected || e.code === eslErrorCodes.timeout);
      await waitFor(() => errors.length > 0, 'auth error');
      assert.equal(errors[0]!.code, eslErrorCodes.authFailed);
      assert.equal(notices.length, 1);
      assert.match(notices[0]!.text, /^Disconnected, goodbye/);
      assert.equal(server.peers.length, 1);
    } finally {
      await client.stop();
      await server.close();
    }
  });

  test('heartbeat liveness: silence drops the connection and a new one is made; heartbeats keep it up', async () => {
    let beat: NodeJS.Timeout | undefined;
    const server = await ScriptedServer.start(fakeFreeswitch());
    const client = new EslClient({ ...fast, port: server.port, liveness: { mode: 'heartbeat', timeoutMs: 300 } });
    try {
      await client.ready();
      assert.equal(server.peers[0]!.received[1]!.line, 'event json BACKGROUND_JOB HEARTBEAT');
      const [reason] = await nextEvent<[FifeError]>(client, 'down');
      assert.equal(reason.code, eslErrorCodes.liveness);
      await nextEvent(client, 'up');
      const peer = server.peers[1]!;
      beat = setInterval(() => peer.write(jsonEventFrame({ headers: { 'Event-Name': 'HEARTBEAT' } })), 40);
      let downs = 0;
      client.on('down', () => downs++);
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(downs, 0);
      assert.ok(client.up);
    } finally {
      clearInterval(beat);
      await client.stop();
      await server.close();
    }
  });

  test('heartbeat liveness is not tripped while a slow api is being answered', async () => {
    const server = await ScriptedServer.start(
      fakeFreeswitch((peer, command) => {
        if (command.line !== 'api slow') return false;
        setTimeout(() => peer.write(apiResponse('+OK slow\n')), 450);
        return true;
      }),
    );
    const client = new EslClient({ ...fast, port: server.port, liveness: { mode: 'heartbeat', timeoutMs: 150 } });
    let downs = 0;
    client.on('down', () => downs++);
    try {
      await client.ready();
      assert.equal(await client.api('slow'), '+OK slow\n');
      assert.equal(downs, 0);
    } finally {
      await client.stop();
      await server.close();
    }
  });

  test('probe liveness: an unanswered api status drops the connection', async () => {
    const server = await ScriptedServer.start(fakeFreeswitch((_peer, command) => command.line === 'api status'));
    const client = new EslClient({ ...fast, port: server.port, liveness: { mode: 'probe', intervalMs: 40, timeoutMs: 60 } });
    try {
      await client.ready();
      const [reason] = await nextEvent<[FifeError]>(client, 'down');
      assert.equal(reason.code, eslErrorCodes.liveness);
      assert.ok(server.peers[0]!.received.some((c) => c.line === 'api status'));
    } finally {
      await client.stop();
      await server.close();
    }
  });

  test('garbage from the server: error event, connection dropped and re-made, no crash', async () => {
    const server = await ScriptedServer.start(
      fakeFreeswitch((peer, command) => {
        if (command.line !== 'api garbage') return false;
        peer.write('Content-Type: api/response\nContent-Length: lots\n\nxx');
        return true;
      }),
    );
    const client = new EslClient({ ...fast, port: server.port });
    const errors: FifeError[] = [];
    client.on('error', (e) => errors.push(e));
    try {
      await client.ready();
      const upAgain = nextEvent(client, 'up');
      await assert.rejects(client.api('garbage'), (e: FifeError) => e.code === eslErrorCodes.badContentLength);
      await upAgain;
      assert.ok(errors.some((e) => e.code === eslErrorCodes.badContentLength));
      assert.match(await client.api('status'), /ready/);
    } finally {
      await client.stop();
      await server.close();
    }
  });

  test('a throwing event listener is reported as an error, later events still arrive', async () => {
    const server = await ScriptedServer.start(
      fakeFreeswitch((peer, command) => {
        if (command.line !== 'api emit') return false;
        const event = (n: string): Buffer => jsonEventFrame({ headers: { 'Event-Name': 'CUSTOM', 'Event-Subclass': 'x::y', N: n } });
        peer.write(Buffer.concat([event('1'), event('2'), apiResponse('+OK\n')]));
        return true;
      }),
    );
    const client = new EslClient({ ...fast, port: server.port });
    const seen: string[] = [];
    const errors: FifeError[] = [];
    client.on('event', (e) => {
      seen.push(String(e.headers.N));
      if (e.headers.N === '1') throw new Error('listener bug');
    });
    client.on('error', (e) => errors.push(e));
    try {
      await client.ready();
      await client.api('emit');
      assert.deepEqual(seen, ['1', '2']);
      assert.equal(errors[0]!.code, eslErrorCodes.listener);
    } finally {
      await client.stop();
      await server.close();
    }
  });

  test('no server listening: connect errors, backoff retries, stop() ends it; commands reject', async () => {
    const server = await ScriptedServer.start(fakeFreeswitch());
    const port = server.port;
    await server.close();
    const client = new EslClient({ ...fast, port });
    const errors: FifeError[] = [];
    client.on('error', (e) => errors.push(e));
    client.start();
    await waitFor(() => errors.length >= 3, 'three failed attempts');
    assert.ok(errors.every((e) => e.code === eslErrorCodes.connectFailed));
    const pending = client.api('status', { timeoutMs: 5_000 });
    await client.stop();
    await assert.rejects(pending, (e: FifeError) => e.code === eslErrorCodes.stopped);
  });
});

describe('fixture frames through a live socket', { skip: sharedSkip }, () => {
  test('the BACKGROUND_JOB fixture event resolves a bgapi carrying its Job-UUID', async () => {
    const fixture = JSON.parse(readFileSync(freeswitchFixture('events', 'BACKGROUND_JOB.json'), 'utf8')) as Record<string, string>;
    const server = await ScriptedServer.start(
      fakeFreeswitch((peer, command) => {
        if (!command.line.startsWith('bgapi')) return false;
        const job = fixture['Job-UUID']!;
        peer.write(Buffer.concat([reply(`+OK Job-UUID: ${job}`, { 'Job-UUID': job }), encodeEventFrame('text/event-json', JSON.stringify(fixture))]));
        return true;
      }),
    );
    const client = new EslClient({ ...fast, port: server.port });
    try {
      await client.ready();
      const result = await client.bgapi(fixture['Job-Command']! + ' ' + (fixture['Job-Command-Arg'] ?? ''), { jobUuid: fixture['Job-UUID']! });
      assert.equal(result.body, fixture._body);
      assert.equal(result.event.headers['Job-UUID'], fixture['Job-UUID']);
    } finally {
      await client.stop();
      await server.close();
    }
  });
});
