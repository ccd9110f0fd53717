/**
 * Helpers shared by this package's tests (not exported from index.ts): fixture loading, a reference
 * frame splitter written independently of the parser, and a seeded random source.
 */
import { readFileSync } from 'node:fs';
import { fixturePath } from '@fife/testkit';
import { EslFrameParser } from './parser.js';
import type { EslFrame } from './frame.js';
import type { FifeError } from '@fife/api';

export const transcriptSessions = ['auth-fail', 'commands', 'main', 'outbound', 'outbound-nofull'] as const;
export type TranscriptSession = (typeof transcriptSessions)[number];

export type TranscriptLine = { seq: number; dir: 'server' | 'client'; t: number; data: string };

export type Transcript = {
  session: TranscriptSession;
  /** esl-transcript-<s>.txt: the server->client bytes. */
  server: Buffer;
  /** esl-transcript-<s>.client.txt. */
  client: Buffer;
  lines: TranscriptLine[];
  /** One entry per server line of the .jsonl: the exact bytes of that frame. */
  serverFrames: Buffer[];
  clientCommands: Buffer[];
};

export function freeswitchFixture(...parts: string[]): string {
  return fixturePath('freeswitch', ...parts);
}

export function loadTranscript(session: TranscriptSession): Transcript {
  const base = freeswitchFixture(`esl-transcript-${session}`);
  const lines = readFileSync(`${base}.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TranscriptLine);
  return {
    session,
    server: readFileSync(`${base}.txt`),
    client: readFileSync(`${base}.client.txt`),
    lines,
    serverFrames: lines.filter((l) => l.dir === 'server').map((l) => Buffer.from(l.data, 'utf8')),
    clientCommands: lines.filter((l) => l.dir === 'client').map((l) => Buffer.from(l.data, 'utf8')),
  };
}

export type ReferenceFrame = { headers: Array<[string, string]>; body: Buffer | undefined };

/**
 * The simplest possible reading of one whole frame, independent of EslFrameParser: the header block
 * ends at the first blank line; a body exists iff Content-Length does.
 */
export function referenceFrame(bytes: Buffer): ReferenceFrame {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\n\n');
  const headers = text
    .slice(0, end)
    .split('\n')
    .map((line): [string, string] => {
      const i = line.indexOf(': ');
      return i === -1 ? [line.slice(0, line.indexOf(':')), ''] : [line.slice(0, i), line.slice(i + 2)];
    })
    .map(([n, v]): [string, string] => [Buffer.from(n, 'latin1').toString('utf8'), Buffer.from(v, 'latin1').toString('utf8')]);
  const hasBody = headers.some(([n]) => n === 'Content-Length');
  return { headers, body: hasBody ? bytes.subarray(end + 2) : undefined };
}

export function sameFrame(actual: EslFrame, expected: ReferenceFrame): boolean {
  const names = Object.keys(actual.headers);
  if (names.length !== expected.headers.length) return false;
  for (let i = 0; i < names.length; i++) {
    const [name, value] = expected.headers[i]!;
    if (names[i] !== name || actual.headers[name] !== value) return false;
  }
  if (expected.body === undefined) return actual.body === undefined;
  return actual.body !== undefined && actual.body.equals(expected.body);
}

export type Collected = { frames: EslFrame[]; errors: Array<{ error: FifeError; fatal: boolean }>; parser: EslFrameParser };

export function collectingParser(options: ConstructorParameters<typeof EslFrameParser>[1] = {}): Collected {
  const frames: EslFrame[] = [];
  const errors: Collected['errors'] = [];
  const parser = new EslFrameParser({ onFrame: (f) => frames.push(f), onError: (error, fatal) => errors.push({ error, fatal }) }, options);
  return { frames, errors, parser };
}

/** Deterministic PRNG (mulberry32) so a failing chunking can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function chunkRandomly(bytes: Buffer, random: () => number, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

export function chunkEvery(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}
