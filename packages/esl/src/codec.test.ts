import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { sharedSkip } from '@fife/testkit';
import {
  decodeJsonEvent,
  decodePlainEvent,
  decodeXmlEvent,
  encodeJsonEvent,
  encodePlainEvent,
  encodeXmlEvent,
} from './event-codec.js';
import { encodeEventFrame, encodeFrame } from './frame.js';
import { classifyFrame, type EslMessage } from './message.js';
import { eventKey, eventName, eventTimestampMs, header, headerValues, jobUuid, uniqueId, type EslEvent } from './event.js';
import { urlDecode, urlEncode } from './url-codec.js';
import { chunkRandomly, collectingParser, freeswitchFixture, loadTranscript, seededRandom } from './test-helpers.js';

function parseOne(bytes: Buffer, seed = 1): EslMessage {
  const { frames, errors, parser } = collectingParser();
  for (const chunk of chunkRandomly(bytes, seededRandom(seed), 700)) parser.push(chunk);
  assert.deepEqual(errors, []);
  assert.equal(frames.length, 1);
  const message = classifyFrame(frames[0]!);
  assert.notEqual(message.type, 'error');
  return message as EslMessage;
}

function eventOf(message: EslMessage): EslEvent {
  assert.equal(message.type, 'event');
  return (message as Extract<EslMessage, { type: 'event' }>).event;
}

function hasRepeatedKeys(json: string): boolean {
  const keys = [...json.matchAll(/[{,]"((?:[^"\\]|\\.)*)":/g)].map((m) => m[1]);
  return new Set(keys).size !== keys.length;
}

/** A plain event's header block without later repeats of a header name (FreeSWITCH repeats Hangup-Cause). */
function withoutRepeatedLines(body: Buffer): Buffer {
  const end = body.indexOf('\n\n');
  const seen = new Set<string>();
  const lines = body
    .toString('utf8', 0, end)
    .split('\n')
    .filter((line) => {
      const name = line.slice(0, line.indexOf(':'));
      if (seen.has(name)) return false;
      seen.add(name);
      return true;
    });
  return Buffer.concat([Buffer.from(lines.join('\n'), 'utf8'), body.subarray(end)]);
}

const eventFiles = sharedSkip
  ? []
  : readdirSync(freeswitchFixture('events')).filter((f) => f.endsWith('.json') && f !== 'index.json');

describe('URL codec (FreeSWITCH flavour)', () => {
  test('encodes what the captures show encoded, leaves / , \' ( ) alone', () => {
    assert.equal(urlEncode('2026-11-22 05:39:17'), '2026-11-22%2005%3A39%3A17');
    assert.equal(urlEncode("a/b,c'(d)"), "a/b,c'(d)");
    assert.equal(urlEncode('+OK\n'), '%2BOK%0A');
    assert.equal(urlEncode('x & y = {z}'), 'x%20%26%20y%20%3D%20%7Bz%7D');
    assert.equal(urlEncode('ü'), '%C3%BC');
  });

  test('decodes, keeps + literal, survives invalid escapes and invalid UTF-8', () => {
    assert.equal(urlDecode('Capture%20Test'), 'Capture Test');
    assert.equal(urlDecode('a+b'), 'a+b');
    assert.equal(urlDecode('100%'), '100%');
    assert.equal(urlDecode('%zz%41'), '%zzA');
    assert.equal(urlDecode('%FF%41'), '\uFFFDA');
    for (const s of ['héllo wörld 👋 & %', 'line\nbreak', '']) assert.equal(urlDecode(urlEncode(s)), s);
  });
});

describe('decodeJsonEvent validation', () => {
  const decode = (text: string) => decodeJsonEvent(Buffer.from(text, 'utf8'));
  test('values that are not strings or string arrays are refused, naming the header', () => {
    for (const bad of ['{"A":"x","B":1}', '{"B":true}', '{"B":null}', '{"B":{"c":"d"}}', '{"B":["x",2]}', '{"B":[["x"]]}', '{"B":[{"x":"y"}]}', '{"A": 5}']) {
      const result = decode(bad);
      assert.ok(result instanceof Error, bad);
      assert.match(result.message, /"B"|"A"/, bad);
    }
    assert.ok(decode('[1,2]') instanceof Error);
    assert.ok(decode('{"Event-Name":') instanceof Error);
    assert.ok(decode('{"_body":5}') instanceof Error);
  });

  test('tricky but valid strings and arrays are accepted', () => {
    const cases: Record<string, unknown>[] = [
      { A: 'x":1', B: ['a', 'b\\"],[', ''], C: [] },
      { A: 'ends with backslash \\', B: ['\\'], 'C":[': 'v' },
      { A: '\"quoted\":{}', B: ['", 7'] },
    ];
    for (const object of cases) {
      const result = decode(JSON.stringify(object));
      assert.ok(!(result instanceof Error), JSON.stringify(object));
      assert.deepEqual(result.headers, object);
    }
    assert.deepEqual(decode('{"Event-Name":"X","_body":"hi"}'), { headers: { 'Event-Name': 'X' }, body: 'hi' });
  });
});

describe('events/*.json framed as FreeSWITCH frames them', { skip: sharedSkip }, () => {
  test(`all ${eventFiles.length} files: parsed event equals the JSON, re-serialised JSON is byte-identical`, () => {
    assert.ok(eventFiles.length >= 60);
    let repeated = 0;
    eventFiles.forEach((file, i) => {
      const json = readFileSync(freeswitchFixture('events', file));
      const event = eventOf(parseOne(encodeEventFrame('text/event-json', json), i));
      const { _body, ...headers } = JSON.parse(json.toString('utf8')) as Record<string, string | string[]>;
      assert.deepEqual(event.headers, headers, file);
      assert.equal(event.body, _body, file);
      // FreeSWITCH repeats a few headers (Hangup-Cause, profile-name) with the same value; like every JSON
      // reader we keep one, so those files round-trip to the file minus its repeated keys.
      const text = json.toString('utf8');
      const expectedJson = hasRepeatedKeys(text) ? JSON.stringify(JSON.parse(text)) : text;
      assert.equal(encodeJsonEvent(event), expectedJson, `${file} round trip`);
      if (hasRepeatedKeys(text)) repeated++;
      assert.equal(eventName(event), file.startsWith('CUSTOM') ? 'CUSTOM' : file.split(/[-.]/)[0], file);
    });
    assert.ok(repeated < eventFiles.length / 4, `${repeated} files with repeated keys`);
  });

  test('the same events as text/event-plain and text/event-xml decode to the same headers and body', () => {
    for (const file of eventFiles) {
      const event = JSON.parse(readFileSync(freeswitchFixture('events', file), 'utf8')) as Record<string, string | string[]>;
      const { _body, ...headers } = event;
      const original: EslEvent = _body === undefined ? { headers } : { headers, body: _body as string };
      const plain = eventOf(parseOne(encodeEventFrame('text/event-plain', encodePlainEvent(original))));
      assert.deepEqual(plain, original, `${file} plain`);
      const xml = eventOf(parseOne(encodeEventFrame('text/event-xml', encodeXmlEvent(original))));
      assert.deepEqual(xml, original, `${file} xml`);
    }
  });

  test('accessors read the common fields', () => {
    const json = readFileSync(freeswitchFixture('events', 'CUSTOM--sofia__register.json'));
    const event = eventOf(parseOne(encodeEventFrame('text/event-json', json)));
    assert.equal(eventKey(event), 'CUSTOM sofia::register');
    assert.equal(Object.keys(event.headers)[0], 'Event-Subclass', 'subclass comes first over ESL');
    const job = eventOf(parseOne(encodeEventFrame('text/event-json', readFileSync(freeswitchFixture('events', 'BACKGROUND_JOB.json')))));
    assert.match(jobUuid(job)!, /^[0-9a-f-]{36}$/);
    assert.match(job.body!, /^\+OK [0-9a-f-]{36}\n$/);
    assert.ok(eventTimestampMs(job)! > 1_700_000_000_000);
    const bridge = eventOf(parseOne(encodeEventFrame('text/event-json', readFileSync(freeswitchFixture('events', 'CHANNEL_BRIDGE.json')))));
    assert.match(uniqueId(bridge)!, /^[0-9a-f-]{36}$/);
    assert.ok(headerValues(bridge, 'variable_originate_causes').length >= 1);
    assert.equal(header(bridge, 'variable_originate_causes'), headerValues(bridge, 'variable_originate_causes')[0]);
  });
});

describe('plain events on the wire', { skip: sharedSkip }, () => {
  test('decoding then re-encoding every plain event of the commands session reproduces its exact bytes', () => {
    const { serverFrames } = loadTranscript('commands');
    let count = 0;
    for (const bytes of serverFrames) {
      const message = parseOne(bytes);
      if (message.type !== 'event' || message.format !== 'plain') continue;
      count++;
      const body = withoutRepeatedLines(bytes.subarray(bytes.indexOf('\n\n') + 2));
      assert.ok(encodePlainEvent(message.event).equals(body), `plain event ${count} bytes`);
    }
    assert.ok(count >= 8, `${count} plain events`);
  });

  test('the nested body of a plain BACKGROUND_JOB and of a sendevent CUSTOM', () => {
    const job = eventOf(parseOne(readFileSync(freeswitchFixture('frames', 'event-plain--BACKGROUND_JOB-status.txt'))));
    assert.equal(job.headers['Job-Command'], 'status');
    assert.match(job.body!, /^UP 0 years/);
    assert.equal(Buffer.byteLength(job.body!), Number(job.headers['Content-Length']));
    const custom = eventOf(parseOne(readFileSync(freeswitchFixture('frames', 'event-plain--CUSTOM-sendevent.txt'))));
    assert.equal(custom.headers['X-Note'], 'hello world & more');
    assert.equal(custom.headers['Event-Subclass'], 'capture::test');
    assert.equal(custom.body, 'body: 1 2 3');
  });

  test('plain decoding edge cases: arrays, _undef_, truncated nested body', () => {
    const decoded = decodePlainEvent(Buffer.from('Event-Name: X\nList: ARRAY%3A%3Aa%7C%3Ab\nEmpty: _undef_\n\n'));
    assert.deepEqual(decoded, { headers: { 'Event-Name': 'X', List: ['a', 'b'], Empty: '' } });
    const truncated = decodePlainEvent(Buffer.from('Event-Name: X\nContent-Length: 50\n\nshort'));
    assert.ok(truncated instanceof Error);
    assert.ok(decodeXmlEvent(Buffer.from('<event><nothing/></event>')) instanceof Error);
  });
});

describe('frames/*.txt: single real frames', { skip: sharedSkip }, () => {
  const frameFiles = sharedSkip ? [] : readdirSync(freeswitchFixture('frames')).filter((f) => !f.startsWith('client-'));
  const load = (name: string) => parseOne(readFileSync(freeswitchFixture('frames', name)));

  test(`each of the ${frameFiles.length} server frames parses to one frame and re-encodes to the same bytes`, () => {
    for (const file of frameFiles) {
      const bytes = readFileSync(freeswitchFixture('frames', file));
      const { frames, errors } = collectingParser();
      const c = collectingParser();
      c.parser.push(bytes);
      assert.deepEqual(c.errors, [], file);
      assert.equal(c.frames.length, 1, file);
      assert.ok(encodeFrame(c.frames[0]!.headers, c.frames[0]!.body).equals(bytes), file);
      assert.notEqual(classifyFrame(c.frames[0]!).type, 'unknown', file);
      assert.equal(frames.length + errors.length, 0);
    }
  });

  test('replies: ok/-ERR, Job-UUID, getvar bare value', () => {
    const bg = load('reply-bgapi-client-job-uuid.txt');
    assert.ok(bg.type === 'command-reply' && bg.reply.ok && bg.reply.jobUuid === '8268c210-a1da-4b0b-a4be-7a3c39701005');
    const bad = load('reply-sendmsg-invalid-session.txt');
    assert.ok(bad.type === 'command-reply' && !bad.reply.ok);
    const getvar = load('outbound-reply-getvar.txt');
    assert.ok(getvar.type === 'command-reply' && getvar.reply.ok && getvar.reply.replyText === 'outbound');
  });

  test('outbound connect reply: URL-decoded channel data, +OK, socket mode and control', () => {
    const connect = load('outbound-reply-connect.txt');
    assert.ok(connect.type === 'command-reply');
    assert.equal(connect.reply.replyText, '+OK');
    assert.ok(connect.reply.ok);
    assert.equal(connect.reply.headers.Control, 'full');
    assert.equal(connect.reply.headers['Socket-Mode'], 'async');
    const data = connect.reply.channelData!;
    assert.equal(eventName(data), 'CHANNEL_DATA');
    assert.equal(data.headers.variable_current_application_data, '127.0.0.1:8084 async full');
    assert.match(uniqueId(data)!, /^[0-9a-f-]{36}$/);
    assert.equal(data.headers['Reply-Text'], undefined);
  });

  test('disconnect notices, log/data, api/response, text/event-xml', () => {
    const linger = load('disconnect-notice--outbound-linger.txt');
    assert.ok(linger.type === 'disconnect-notice' && linger.notice.disposition === 'linger' && linger.notice.lingerTime === '-1');
    const bye = load('disconnect-notice--after-exit.txt');
    assert.ok(bye.type === 'disconnect-notice' && bye.notice.text.startsWith('Disconnected, goodbye.'));
    const log = load('log-data.txt');
    assert.ok(log.type === 'log' && log.log.level === 6 && log.log.text.includes('capture log line'));
    const status = load('api-status.txt');
    assert.ok(status.type === 'api-response' && status.body.includes('is ready'));
    const xml = eventOf(load('event-xml--BACKGROUND_JOB.txt'));
    assert.equal(xml.headers['Job-Command'], 'version');
    assert.equal(xml.headers['Event-Date-Local'], '2026-11-22 05:42:42');
    assert.equal(xml.body, 'FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n');
  });
});
