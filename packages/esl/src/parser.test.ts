import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyFrame } from './message.js';
import { encodeEventFrame, encodeFrame } from './frame.js';
import { encodePlainEvent } from './event-codec.js';
import { eslErrorCodes } from './errors.js';
import { chunkRandomly, collectingParser, seededRandom } from './test-helpers.js';

const reply = (text: string): Buffer => encodeFrame({ 'Content-Type': 'command/reply', 'Reply-Text': text });

function pushAll(chunks: Buffer[], options = {}) {
  const collected = collectingParser(options);
  for (const chunk of chunks) collected.parser.push(chunk);
  return collected;
}

describe('EslFrameParser: chunking', () => {
  test('many frames in one chunk, in order', () => {
    const stream = Buffer.concat([reply('+OK a'), reply('+OK b'), encodeEventFrame('api/response', 'x\n'), reply('+OK c')]);
    const { frames, errors } = pushAll([stream]);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      frames.map((f) => f.headers['Reply-Text'] ?? f.body?.toString()),
      ['+OK a', '+OK b', 'x\n', '+OK c'],
    );
  });

  test('multi-byte UTF-8 split inside a body and inside a header: Content-Length counts bytes', () => {
    const text = 'Grüße 👋 — 日本語 ✓';
    const frame = Buffer.concat([
      encodeFrame([['Content-Type', 'api/response'], ['Content-Length', String(Buffer.byteLength(text))]], text),
      encodeFrame({ 'Content-Type': 'command/reply', 'Reply-Text': '+OK café ☕' }),
    ]);
    for (let k = 0; k <= frame.length; k++) {
      const { frames, errors } = pushAll([frame.subarray(0, k), frame.subarray(k)]);
      assert.deepEqual(errors, [], `split ${k}`);
      assert.equal(frames.length, 2, `split ${k}`);
      assert.equal(frames[0]!.body!.toString('utf8'), text, `split ${k}`);
      assert.equal(frames[1]!.headers['Reply-Text'], '+OK café ☕', `split ${k}`);
    }
  });

  test('every 3-way split of a nested plain event with a UTF-8 body decodes the same', () => {
    const event = { headers: { 'Event-Name': 'BACKGROUND_JOB', 'Job-Command': 'echo ünïcode & more', 'Job-UUID': 'j-1' }, body: '+OK ✓ done\n' };
    const frame = encodeEventFrame('text/event-plain', encodePlainEvent(event));
    for (let a = 0; a <= frame.length; a += 3) {
      for (let b = a; b <= frame.length; b += 7) {
        const { frames } = pushAll([frame.subarray(0, a), frame.subarray(a, b), frame.subarray(b)]);
        assert.equal(frames.length, 1);
        const message = classifyFrame(frames[0]!);
        assert.ok(message.type === 'event');
        assert.deepEqual(message.event, { headers: { ...event.headers, 'Content-Length': String(Buffer.byteLength(event.body)) }, body: event.body });
      }
    }
  });

  test('random chunkings of a long mixed stream give the same frames', () => {
    const parts: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      parts.push(reply(`+OK ${i}`));
      parts.push(encodeEventFrame('text/event-json', JSON.stringify({ 'Event-Name': 'CUSTOM', n: String(i), pad: 'ß'.repeat(i * 7) })));
    }
    const stream = Buffer.concat(parts);
    const reference = pushAll([stream]).frames;
    assert.equal(reference.length, 400);
    for (const seed of [7, 8, 9]) {
      const { frames } = pushAll(chunkRandomly(stream, seededRandom(seed), 300));
      assert.deepEqual(frames.map((f) => [f.headers, f.body?.toString('hex')]), reference.map((f) => [f.headers, f.body?.toString('hex')]));
    }
  });

  test('blank lines between frames are skipped; CRLF header lines are tolerated', () => {
    const { frames, errors } = pushAll([Buffer.from('\n\nContent-Type: command/reply\r\nReply-Text: +OK\r\n\n\nContent-Type: auth/request\n\n')]);
    assert.deepEqual(errors, []);
    assert.deepEqual(frames.map((f) => f.headers), [{ 'Content-Type': 'command/reply', 'Reply-Text': '+OK' }, { 'Content-Type': 'auth/request' }]);
  });

  test('Content-Length: 0 gives an empty body (linger disconnect notice)', () => {
    const { frames } = pushAll([Buffer.from('Content-Type: text/disconnect-notice\nContent-Disposition: linger\nContent-Length: 0\n\n')]);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.body!.length, 0);
  });

  test('a complete body inside one chunk is a view, not a copy', () => {
    const chunk = encodeEventFrame('api/response', 'hello');
    const { frames } = pushAll([chunk]);
    assert.equal(frames[0]!.body!.buffer, chunk.buffer);
  });
});

describe('EslFrameParser: malformed input', () => {
  test('a garbage header block is reported and skipped; parsing resumes at the next frame', () => {
    const { frames, errors, parser } = pushAll([Buffer.from('this is not a header\n\n'), reply('+OK after')]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.error.code, eslErrorCodes.frameMalformed);
    assert.equal(errors[0]!.fatal, false);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.headers['Reply-Text'], '+OK after');
    assert.equal(parser.failed, false);
  });

  test('a non-numeric Content-Length is fatal: error once, further input ignored until reset', () => {
    const { frames, errors, parser } = pushAll([Buffer.from('Content-Type: api/response\nContent-Length: 12abc\n\nxx'), reply('+OK lost')]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.error.code, eslErrorCodes.badContentLength);
    assert.equal(errors[0]!.fatal, true);
    assert.equal(frames.length, 0);
    assert.equal(parser.failed, true);
    parser.reset();
    parser.push(reply('+OK again'));
    assert.equal(frames.length, 1);
  });

  for (const bad of ['-5', '', ' 5', '1e3', '99999999999999999999']) {
    test(`Content-Length "${bad}" is rejected`, () => {
      const { errors, frames } = pushAll([Buffer.from(`Content-Type: api/response\nContent-Length: ${bad}\n\nabc`)]);
      assert.equal(errors.length, 1);
      assert.ok(errors[0]!.fatal);
      assert.equal(frames.length, 0);
    });
  }

  test('a body larger than maxBodyBytes is fatal without buffering it', () => {
    const { errors, parser } = pushAll([Buffer.from('Content-Type: api/response\nContent-Length: 5000000\n\n'), Buffer.alloc(100_000)], {
      maxBodyBytes: 1_000_000,
    });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.error.code, eslErrorCodes.frameTooLarge);
    assert.equal(parser.bufferedBytes, 0);
  });

  test('an endless header block is cut at maxHeaderBytes', () => {
    const collected = collectingParser({ maxHeaderBytes: 4096 });
    for (let i = 0; i < 100; i++) collected.parser.push(Buffer.from('X-Garbage: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'));
    assert.equal(collected.errors.length, 1);
    assert.equal(collected.errors[0]!.error.code, eslErrorCodes.frameTooLarge);
    assert.ok(collected.parser.bufferedBytes <= 4096);
  });

  test('random binary garbage never throws and never buffers past the limits', () => {
    const random = seededRandom(42);
    for (let round = 0; round < 50; round++) {
      const collected = collectingParser({ maxHeaderBytes: 2048, maxBodyBytes: 4096 });
      for (let i = 0; i < 20; i++) {
        const chunk = Buffer.alloc(1 + Math.floor(random() * 512));
        for (let j = 0; j < chunk.length; j++) chunk[j] = random() < 0.1 ? 10 : Math.floor(random() * 256);
        assert.doesNotThrow(() => collected.parser.push(chunk));
        assert.ok(collected.parser.bufferedBytes <= 4096 + 2048);
      }
    }
  });

  test('a frame handler that throws is reported, and the next frames still arrive', () => {
    const seen: string[] = [];
    const errors: string[] = [];
    const { EslFrameParser } = parserModule;
    const parser = new EslFrameParser({
      onFrame: (f) => {
        seen.push(f.headers['Reply-Text']!);
        if (seen.length === 1) throw new Error('listener bug');
      },
      onError: (e) => errors.push(e.code),
    });
    parser.push(Buffer.concat([reply('+OK 1'), reply('+OK 2')]));
    assert.deepEqual(seen, ['+OK 1', '+OK 2']);
    assert.deepEqual(errors, [eslErrorCodes.listener]);
  });
});

import * as parserModule from './parser.js';
