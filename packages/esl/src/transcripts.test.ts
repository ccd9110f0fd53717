/**
 * Every real FreeSWITCH transcript, replayed through the parser under every chunking we can afford:
 *  - transcripts up to 48 KiB (auth-fail, commands, outbound, outbound-nofull): the whole stream split
 *    in two at EVERY byte offset;
 *  - the main transcript (978 KB, 326 frames): the whole stream split at every offset of its first
 *    2 KiB and at 300 random offsets; and, for every frame, the frame plus its neighbours split at every
 *    offset of the frame's first 160 bytes (its header block and the start of its body) and of its last
 *    16 bytes (about 60 000 splits), since a split in the middle of a body takes the same path wherever it falls;
 *  - all transcripts: random chunk sizes (several seeds), 1-byte chunks, 1460 and 65536-byte chunks.
 * Expected frames come from the .jsonl (one whole frame per server line), read by an independent
 * reference splitter; events are compared with the JSON bodies / an independent plain decoder.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedSkip } from '@fife/testkit';
import { classifyFrame } from './message.js';
import { encodeFrame, type EslFrame } from './frame.js';
import type { EslEvent } from './event.js';
import {
  chunkEvery,
  chunkRandomly,
  collectingParser,
  freeswitchFixture,
  loadTranscript,
  referenceFrame,
  sameFrame,
  seededRandom,
  transcriptSessions,
  type ReferenceFrame,
  type Transcript,
} from './test-helpers.js';

const WHOLE_STREAM_EVERY_OFFSET_LIMIT = 48 * 1024;

function parseChunks(chunks: Buffer[]): EslFrame[] {
  const { frames, errors, parser } = collectingParser();
  for (const chunk of chunks) parser.push(chunk);
  if (errors.length > 0) assert.fail(`parser errors: ${errors.map((e) => e.error.message).join('; ')}`);
  if (parser.bufferedBytes !== 0) assert.fail('bytes left over after the last frame');
  return frames;
}

function assertFramesMatch(frames: EslFrame[], expected: ReferenceFrame[], context: string): void {
  if (frames.length !== expected.length) assert.fail(`${context}: ${frames.length} frames, expected ${expected.length}`);
  for (let i = 0; i < frames.length; i++) {
    if (!sameFrame(frames[i]!, expected[i]!)) assert.fail(`${context}: frame ${i} differs`);
  }
}

/** Byte ranges of the frames inside the stream, from the .jsonl frame lengths. */
function frameRanges(t: Transcript): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let at = 0;
  for (const frame of t.serverFrames) {
    ranges.push([at, at + frame.length]);
    at += frame.length;
  }
  return ranges;
}

/** Independent plain-event reading: lines, decodeURIComponent, nested Content-Length body. */
function referencePlainEvent(body: Buffer): EslEvent {
  const text = body.toString('utf8');
  const end = text.indexOf('\n\n');
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, end).split('\n')) {
    const i = line.indexOf(': ');
    headers[line.slice(0, i)] = decodeURIComponent(line.slice(i + 2));
  }
  const rest = text.slice(end + 2);
  return headers['Content-Length'] === undefined ? { headers } : { headers, body: rest };
}

function referenceJsonEvent(body: Buffer): EslEvent {
  const { _body, ...headers } = JSON.parse(body.toString('utf8')) as Record<string, string | string[]>;
  return _body === undefined ? { headers } : { headers, body: _body as string };
}

describe('ESL transcripts replayed through the parser', { skip: sharedSkip }, () => {
  for (const session of transcriptSessions) {
    describe(session, () => {
      const t = sharedSkip ? undefined : loadTranscript(session);
      const expected = t?.serverFrames.map(referenceFrame) ?? [];

      test('the .jsonl server frames are exactly the .txt stream', () => {
        assert.ok(Buffer.concat(t!.serverFrames).equals(t!.server));
      });

      test('one push: exactly the recorded frames, re-encoding each gives its recorded bytes', () => {
        const frames = parseChunks([t!.server]);
        assertFramesMatch(frames, expected, 'one chunk');
        frames.forEach((frame, i) => assert.ok(encodeFrame(frame.headers, frame.body).equals(t!.serverFrames[i]!), `frame ${i} bytes`));
      });

      test('events decode to what FreeSWITCH serialised', () => {
        const frames = parseChunks([t!.server]);
        let events = 0;
        frames.forEach((frame, i) => {
          const message = classifyFrame(frame);
          assert.notEqual(message.type, 'error', `frame ${i} decodes`);
          assert.notEqual(message.type, 'unknown', `frame ${i} has a known Content-Type`);
          if (message.type !== 'event') return;
          events++;
          const body = expected[i]!.body!;
          if (message.format === 'json') assert.deepEqual(message.event, referenceJsonEvent(body), `json event ${i}`);
          if (message.format === 'plain') assert.deepEqual({ ...message.event, headers: { ...message.event.headers } }, referencePlainEvent(body), `plain event ${i}`);
          if (message.format === 'xml') {
            assert.equal(message.event.headers['Event-Name'], 'BACKGROUND_JOB');
            assert.equal(message.event.headers['FreeSWITCH-IPv6'], '2001:db8::2', 'xml values are URL-decoded');
            assert.equal(message.event.body, 'FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n');
          }
        });
        assert.equal(events, expected.filter((f) => /Content-Type: text\/event-/.test(f.headers.map((h) => h.join(': ')).join('\n'))).length);
      });

      test('random chunk sizes, 1-byte chunks, 1460 and 64 KiB chunks', () => {
        for (const seed of [1, 2, 3, 4, 5]) {
          assertFramesMatch(parseChunks(chunkRandomly(t!.server, seededRandom(seed), 4096)), expected, `seed ${seed}`);
        }
        assertFramesMatch(parseChunks(chunkRandomly(t!.server, seededRandom(99), 17)), expected, 'small random');
        const sizes = t!.server.length > WHOLE_STREAM_EVERY_OFFSET_LIMIT ? [1, 1460, 65536] : [1, 2, 3, 1460, 65536];
        for (const size of sizes) assertFramesMatch(parseChunks(chunkEvery(t!.server, size)), expected, `size ${size}`);
      });

      if (t !== undefined && t.server.length <= WHOLE_STREAM_EVERY_OFFSET_LIMIT) {
        test(`whole stream split in two at every one of its ${t.server.length + 1} offsets`, () => {
          for (let k = 0; k <= t.server.length; k++) {
            assertFramesMatch(parseChunks([t.server.subarray(0, k), t.server.subarray(k)]), expected, `split at ${k}`);
          }
        });
      } else if (t !== undefined) {
        test('whole stream split in two at every offset of its first 2 KiB and at 300 random offsets', () => {
          const random = seededRandom(2026);
          const offsets = [...Array.from({ length: 2049 }, (_, k) => k), ...Array.from({ length: 300 }, () => Math.floor(random() * (t.server.length + 1)))];
          for (const k of offsets) {
            assertFramesMatch(parseChunks([t.server.subarray(0, k), t.server.subarray(k)]), expected, `split at ${k}`);
          }
        });

        test('every frame with its neighbours, split at each offset of its first 160 and last 16 bytes', () => {
          const ranges = frameRanges(t);
          let splits = 0;
          for (let f = 0; f < ranges.length; f++) {
            const first = Math.max(0, f - 1);
            const last = Math.min(ranges.length - 1, f + 1);
            const base = ranges[first]![0];
            const window = t.server.subarray(base, ranges[last]![1]);
            const want = expected.slice(first, last + 1);
            const [start, end] = ranges[f]!;
            const offsets = new Set<number>();
            for (let k = start; k <= Math.min(end, start + 160); k++) offsets.add(k);
            for (let k = Math.max(start, end - 16); k <= end; k++) offsets.add(k);
            for (const k of offsets) {
              assertFramesMatch(parseChunks([window.subarray(0, k - base), window.subarray(k - base)]), want, `split at ${k}`);
              splits++;
            }
          }
          assert.ok(splits > 40_000, `${splits} splits`);
        });
      }
    });
  }

  test('events/index.json: each events/*.json is the body at its index in the main transcript', () => {
    const index = JSON.parse(readFileSync(freeswitchFixture('events', 'index.json'), 'utf8')) as Array<{
      file: string;
      main_event_index: number;
    }>;
    const jsonEvents = parseChunks([loadTranscript('main').server])
      .map(classifyFrame)
      .filter((m) => m.type === 'event' && m.format === 'json')
      .map((m) => (m.type === 'event' ? m.event : undefined));
    assert.ok(index.length > 50);
    for (const entry of index) {
      const file = readFileSync(freeswitchFixture(entry.file));
      assert.deepEqual(jsonEvents[entry.main_event_index], referenceJsonEvent(file), entry.file);
    }
  });
});
