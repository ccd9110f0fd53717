import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fixturePath, sharedSkip } from '../shared-fixtures.js';
import { eventFrame } from './esl/frames.js';
import { FsEvent, serializeEvent } from './event.js';
import { FrameSplitter } from './test-support/raw-client.js';
import { fsUrlEncode } from './url-encode.js';

/** Rebuilds an FsEvent from a captured text/event-json frame (values are plain there). */
function fromJsonFrame(file: string): FsEvent {
  const [frame] = new FrameSplitter().push(readFileSync(fixturePath(`freeswitch/frames/${file}`)));
  const obj = JSON.parse(frame!.body) as Record<string, string | string[]>;
  const event = new FsEvent();
  for (const [k, v] of Object.entries(obj)) {
    if (k === '_body') event.body = v as string;
    else if (k !== 'Content-Length') event.add(k, v);
  }
  return event;
}

/** Rebuilds an FsEvent from a captured text/event-plain frame (URL-decoding its values). */
function fromPlainFrame(file: string): FsEvent {
  const [frame] = new FrameSplitter().push(readFileSync(fixturePath(`freeswitch/frames/${file}`)));
  const text = frame!.body;
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const event = new FsEvent();
  for (const line of head.split('\n')) {
    const i = line.indexOf(': ');
    const name = line.slice(0, i);
    if (name === 'Content-Length') continue;
    event.add(name, decodeURIComponent(line.slice(i + 2)));
  }
  if (blank >= 0 && head.includes('Content-Length: ')) event.body = text.slice(blank + 2);
  return event;
}

describe('event serialisation reproduces captured frames byte for byte', { skip: sharedSkip, timeout: 30_000 }, () => {
  for (const file of ['event-plain--BACKGROUND_JOB-status.txt', 'event-plain--BACKGROUND_JOB-originate.txt', 'event-plain--CHANNEL_CREATE.txt', 'event-plain--CHANNEL_HANGUP_COMPLETE.txt']) {
    test(file, () => {
      const captured = readFileSync(fixturePath(`freeswitch/frames/${file}`), 'utf8');
      assert.equal(eventFrame('plain', serializeEvent(fromPlainFrame(file), 'plain')), captured);
    });
  }

  test('event-json--HEARTBEAT.txt', () => {
    const file = 'event-json--HEARTBEAT.txt';
    const captured = readFileSync(fixturePath(`freeswitch/frames/${file}`), 'utf8');
    assert.equal(eventFrame('json', serializeEvent(fromJsonFrame(file), 'json')), captured);
  });

  test('event-xml--BACKGROUND_JOB.txt (from the same event as plain)', () => {
    const captured = readFileSync(fixturePath('freeswitch/frames/event-xml--BACKGROUND_JOB.txt'), 'utf8');
    const [frame] = new FrameSplitter().push(Buffer.from(captured));
    const event = new FsEvent();
    for (const m of frame!.body.matchAll(/<([A-Za-z0-9_-]+)>([^<]*)<\/\1>/g)) {
      if (m[1] !== 'Content-Length' && m[1] !== 'body') event.add(m[1]!, decodeURIComponent(m[2]!));
    }
    event.body = /<body>([\s\S]*)  <\/body>/.exec(frame!.body)![1];
    assert.equal(eventFrame('xml', serializeEvent(event, 'xml')), captured);
  });
});

describe('switch_url_encode', { timeout: 10_000 }, () => {
  test('keeps , \' ( ) / and existing %XX, encodes the unsafe set and non-ASCII bytes', () => {
    assert.equal(fsUrlEncode("{a=1,b='x y'}loopback/9999 &park()"), "%7Ba%3D1,b%3D'x%20y'%7Dloopback/9999%20%26park()");
    assert.equal(fsUrlEncode('tone_stream://%(300,100,440);loops=2'), 'tone_stream%3A//%25(300,100,440)%3Bloops%3D2');
    assert.equal(fsUrlEncode('already%3Aencoded'), 'already%3Aencoded');
    assert.equal(fsUrlEncode('100%'), '100%25');
    assert.equal(fsUrlEncode('é'), '%C3%A9');
  });
});
