import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { sharedSkip } from '@fife/testkit';
import type { FifeError } from '@fife/api';
import { EslOutboundServer, type OutboundSession } from './outbound-server.js';
import { eslErrorCodes } from './errors.js';
import { eventName, type EslEvent } from './event.js';
import type { DisconnectNotice } from './message.js';
import { CommandReader, transcriptReplay, type Peer } from './scripted-server.js';
import { loadTranscript, type TranscriptSession } from './test-helpers.js';

/** Plays FreeSWITCH's side of an outbound transcript: connects to our server and answers each command. */
function fakeFreeswitchDialling(port: number, session: TranscriptSession): { peer: Peer; closed: Promise<void> } {
  const replay = transcriptReplay(loadTranscript(session));
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  const peer: Peer = { socket, received: [], write: (b) => void (!socket.destroyed && socket.write(b)) };
  const reader = new CommandReader();
  socket.on('data', (chunk) => {
    for (const command of reader.push(chunk)) {
      peer.received.push(command);
      replay.onCommand(peer, command);
    }
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { peer, closed };
}

function nextSession(server: EslOutboundServer): Promise<OutboundSession> {
  return new Promise((resolve) => server.once('session', resolve));
}

describe('EslOutboundServer against the outbound transcripts', { skip: sharedSkip }, () => {
  test('full control: connect, myevents, linger, sendmsg, getvar, api, hangup, linger notice, exit', async () => {
    const server = new EslOutboundServer({ commandTimeoutMs: 2_000 });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const sessionPromise = nextSession(server);
      const fs = fakeFreeswitchDialling(port, 'outbound');
      const session = await sessionPromise;
      const events: EslEvent[] = [];
      const notices: DisconnectNotice[] = [];
      session.on('event', (e) => events.push(e));
      session.on('disconnect-notice', (n) => notices.push(n));

      assert.equal(session.uuid, 'b589fab4-0369-4de9-b8ed-e21960f02403');
      assert.equal(session.control, 'full');
      assert.equal(session.socketMode, 'async');
      assert.equal(eventName(session.channelData), 'CHANNEL_DATA');
      assert.equal(session.channelData.headers['Caller-Destination-Number'], '8084');

      assert.equal((await session.myevents('json')).replyText, '+OK Events Enabled');
      assert.equal((await session.linger()).replyText, '+OK will linger');
      await session.subscribe(['CHANNEL_HANGUP_COMPLETE'], 'json');
      await session.executeHere('answer', undefined, { eventLock: true, eventUuid: false });
      await session.executeHere('set', 'capture_mode=outbound', { eventLock: true, eventUuid: false });
      await session.executeHere('playback', 'tone_stream://%(200,100,440);loops=2', { eventLock: true, eventUuid: false });
      assert.equal(await session.getvar('capture_mode'), 'outbound');
      assert.equal(await session.uuidGetvar(session.uuid!, 'capture_mode'), 'outbound');
      await session.hangupHere('NORMAL_CLEARING');
      const deadline = Date.now() + 2_000;
      while (notices.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.equal(notices[0]?.disposition, 'linger');
      assert.equal(notices[0]?.lingerTime, '-1');
      await session.exit();
      await fs.closed;

      const recorded = loadTranscript('outbound').clientCommands.map((b) => b.toString());
      assert.deepEqual(fs.peer.received.map((c) => c.raw.toString()), recorded);
      assert.equal(events.length, 13);
      assert.equal(eventName(events[events.length - 1]!), 'CHANNEL_HANGUP_COMPLETE');
    } finally {
      await server.close();
    }
  });

  test('without full: linger is refused (-ERR command not found) and a plain disconnect follows hangup', async () => {
    const server = new EslOutboundServer({ commandTimeoutMs: 2_000 });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const sessionPromise = nextSession(server);
      const fs = fakeFreeswitchDialling(port, 'outbound-nofull');
      const session = await sessionPromise;
      const closed = new Promise<FifeError>((resolve) => session.once('close', resolve));
      assert.equal(session.control, 'single-channel');
      await assert.rejects(session.linger(), (e: FifeError) => e.code === eslErrorCodes.commandFailed && /command not found/.test(e.message));
      await assert.rejects(session.subscribe(['ALL']), (e: FifeError) => e.code === eslErrorCodes.commandFailed);
      await assert.rejects(session.api('status'), (e: FifeError) => e.code === eslErrorCodes.commandFailed);
      await session.myevents('json');
      await session.hangupHere();
      await closed;
      await fs.closed;
      assert.equal(fs.peer.received.length, 6);
    } finally {
      await server.close();
    }
  });
});

describe('EslOutboundServer handshake failures', () => {
  test('a peer that never answers connect is dropped after the deadline and reported', async () => {
    const server = new EslOutboundServer({ connectTimeoutMs: 80 });
    const errors: FifeError[] = [];
    server.on('error', (e) => errors.push(e));
    const { port } = await server.listen();
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    socket.resume(); // read, so the server's close is seen
    try {
      await new Promise<void>((resolve) => socket.on('close', () => resolve()));
      assert.equal(errors[0]?.code, eslErrorCodes.timeout);
    } finally {
      socket.destroy();
      await server.close();
    }
  });

  test('a connect reply without channel data is refused', async () => {
    const server = new EslOutboundServer({ connectTimeoutMs: 500 });
    const errors: FifeError[] = [];
    server.on('error', (e) => errors.push(e));
    let sessions = 0;
    server.on('session', () => sessions++);
    const { port } = await server.listen();
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    socket.on('data', () => socket.write('Content-Type: command/reply\nReply-Text: +OK\n\n'));
    try {
      await new Promise<void>((resolve) => socket.on('close', () => resolve()));
      assert.equal(errors[0]?.code, eslErrorCodes.unexpectedReply);
      assert.equal(sessions, 0);
    } finally {
      socket.destroy();
      await server.close();
    }
  });
});
