import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fixturePath, sharedSkip } from '../../shared-fixtures.js';
import { VirtualClock } from '../clock.js';
import { SimNode } from '../node.js';
import { header, RawEslClient, type ServerFrame } from '../test-support/raw-client.js';
import { capturedSteps, frameShape, readTranscript, type Step } from '../test-support/transcript.js';
import { NOT_FOUND, TestXmlCurlServer } from '../test-support/xml-curl-server.js';

/**
 * Replays the client side of a captured session against the simulator, advancing the virtual clock to each
 * command's recorded time, and collects the simulator's frames per step (the frames that arrived after one
 * client command and before the next).
 */
async function replay(node: SimNode, clock: VirtualClock, steps: Step[]): Promise<ServerFrame[][]> {
  const client = await RawEslClient.connect(node.port);
  const base = clock.now();
  const ours: ServerFrame[][] = [];
  let seen = 0;
  const collect = async (expected: number): Promise<void> => {
    // Wait until at least as many frames as FreeSWITCH sent for this step have arrived (or the socket closed).
    const deadline = Date.now() + 1500;
    while (client.frames.length - seen < expected && !client.closed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await clock.settle();
    await new Promise((r) => setTimeout(r, 20));
    ours.push(client.frames.slice(seen));
    seen = client.frames.length;
  };
  for (const [i, step] of steps.entries()) {
    if (step.client) {
      await clock.advanceTo(base + step.client.t * 1000);
      client.send(step.client.data);
    }
    const next = steps[i + 1]?.client;
    if (next) {
      // Frames FreeSWITCH sent later in this step (events driven by time) need the clock moved first.
      await collect(step.frames.filter((f) => /reply|response|auth|disconnect/.test(header(f, 'Content-Type') ?? '')).length);
      const last = ours.pop()!;
      seen -= last.length;
      await clock.advanceTo(base + next.t * 1000 - 1);
      await collect(step.frames.length);
    } else {
      await collect(step.frames.length);
    }
  }
  client.close();
  return ours;
}

function compareSteps(captured: Step[], ours: ServerFrame[][]): string[] {
  const problems: string[] = [];
  captured.forEach((step, i) => {
    const label = step.client ? JSON.stringify(step.client.data.split('\n')[0]) : 'greeting';
    const want = step.frames.map(frameShape);
    const got = (ours[i] ?? []).map(frameShape);
    const remaining = [...got];
    for (const w of want) {
      const index = remaining.findIndex((g) => g.key === w.key);
      if (index < 0) {
        problems.push(`${label}: missing ${w.key}`);
        continue;
      }
      const g = remaining.splice(index, 1)[0]!;
      if (g.frameHeaders.join(',') !== w.frameHeaders.join(',')) problems.push(`${label}: ${w.key} frame headers ${g.frameHeaders} != ${w.frameHeaders}`);
      if (g.replyText !== w.replyText) problems.push(`${label}: Reply-Text ${g.replyText} != ${w.replyText}`);
      const missing = w.eventHeaders.filter((h) => !g.eventHeaders.includes(h));
      const extra = g.eventHeaders.filter((h) => !w.eventHeaders.includes(h));
      if (missing.length || extra.length) problems.push(`${label}: ${w.key} headers missing [${missing}] extra [${extra}]`);
    }
    for (const g of remaining) problems.push(`${label}: unexpected ${g.key}`);
  });
  return problems;
}

describe('replaying captured ESL sessions against the simulator', { skip: sharedSkip, timeout: 30_000 }, () => {
  test('auth-fail: same frames, same texts, the socket closes', async () => {
    const clock = new VirtualClock();
    const node = await new SimNode({ clock }).start();
    try {
      const steps = capturedSteps(readTranscript(fixturePath('freeswitch/esl-transcript-auth-fail.jsonl')));
      const ours = await replay(node, clock, steps);
      assert.deepEqual(compareSteps(steps, ours), []);
      const raw = (frames: ServerFrame[]): string => frames.map((f) => f.raw).join('');
      assert.equal(raw(ours.flat()), readFileSync(fixturePath('freeswitch/esl-transcript-auth-fail.txt'), 'utf8'), 'byte-identical');
    } finally {
      await node.stop();
    }
  });

  test('commands: every step yields the same frame types, reply texts and event header names', async () => {
    const dialplan9999 = readFileSync(fixturePath('freeswitch/xml-curl/dialplan--9999--loopback-9999-b--seq0002.response.xml'), 'utf8');
    const xml = await new TestXmlCurlServer((p) => (p.get('Caller-Destination-Number') === '9999' ? dialplan9999 : NOT_FOUND)).start();
    const clock = new VirtualClock();
    const node = new SimNode({ clock, hostname: 'fs-capture', xmlCurl: { url: xml.url } });
    try {
      await node.start();
      // The capture's connection was made 7.13 s after FreeSWITCH started (its first `status` says so), which is
      // what puts the one HEARTBEAT inside the `event json HEARTBEAT` step.
      await clock.advance(7130);
      const steps = capturedSteps(readTranscript(fixturePath('freeswitch/esl-transcript-commands.jsonl')));
      const ours = await replay(node, clock, steps);
      assert.deepEqual(compareSteps(steps, ours), []);
      const count = (frames: ServerFrame[]): number => frames.filter((f) => /event/.test(header(f, 'Content-Type') ?? '')).length;
      assert.equal(ours.flat().length, steps.flatMap((s) => s.frames).length);
      assert.equal(count(ours.flat()), 12, 'BACKGROUND_JOB x4, CHANNEL_* x6, CUSTOM, HEARTBEAT');
    } finally {
      await node.stop();
      await xml.stop();
    }
  });
});
