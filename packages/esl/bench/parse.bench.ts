/**
 * JSON events/s through our frame parser + event decoding versus the `modesl` parser, on the same byte
 * stream of real FreeSWITCH event bodies (fixtures), fed in TCP-sized (1460) and large (64 KiB) chunks.
 * Run: node --import tsx packages/esl/bench/parse.bench.ts   (bounded to well under 60 s)
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fixturePath, sharedSkip } from '@fife/testkit';
import { EslFrameParser, classifyFrame, encodeEventFrame } from '@fife/esl';

const EVENT_FILES = [
  'CHANNEL_CREATE.json',
  'CHANNEL_EXECUTE_COMPLETE.json',
  'CHANNEL_HANGUP_COMPLETE.json',
  'CHANNEL_STATE.json',
  'HEARTBEAT.json',
  'BACKGROUND_JOB.json',
  'CUSTOM--sofia__register.json',
  'DTMF.json',
];
const STREAM_BYTES = 2 * 1024 * 1024;
const WARMUP_ROUNDS = 3;
const ROUNDS = 21;
const CHUNK_SIZES = [1460, 65536];
const BUDGET_MS = 50_000;

type ModeslParser = EventEmitter;
const require = createRequire(import.meta.url);
const ModeslParserClass = require('modesl/lib/esl/Parser.js') as new (socket: EventEmitter) => ModeslParser;

function buildStream(): { stream: Buffer; events: number; meanBytes: number } {
  const frames = EVENT_FILES.map((f) => encodeEventFrame('text/event-json', readFileSync(fixturePath('freeswitch', 'events', f))));
  const cycle = Buffer.concat(frames);
  const repeats = Math.max(1, Math.floor(STREAM_BYTES / cycle.length));
  return {
    stream: Buffer.concat(Array.from({ length: repeats }, () => cycle)),
    events: repeats * frames.length,
    meanBytes: Math.round(cycle.length / frames.length),
  };
}

function chunk(stream: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; at += size) out.push(stream.subarray(at, at + size));
  return out;
}

/** Returns [events seen, a checksum of Unique-ID/Event-Name lengths so the work cannot be skipped]. */
function runOurs(chunks: Buffer[]): [number, number] {
  let events = 0;
  let check = 0;
  const parser = new EslFrameParser({
    onFrame: (frame) => {
      const message = classifyFrame(frame);
      if (message.type !== 'event') throw new Error(`unexpected ${message.type}`);
      events++;
      check += String(message.event.headers['Event-Name']).length + String(message.event.headers['Unique-ID'] ?? '').length;
    },
    onError: (error) => {
      throw error;
    },
  });
  for (const c of chunks) parser.push(c);
  return [events, check];
}

function runModesl(chunks: Buffer[]): [number, number] {
  let events = 0;
  let check = 0;
  const socket = new EventEmitter();
  const parser = new ModeslParserClass(socket);
  parser.on('esl::event', (event: { getHeader(name: string): string | null }) => {
    events++;
    check += String(event.getHeader('Event-Name')).length + String(event.getHeader('Unique-ID') ?? '').length;
  });
  for (const c of chunks) socket.emit('data', c);
  return [events, check];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(run: (chunks: Buffer[]) => [number, number], chunks: Buffer[]): { rate: number; events: number; check: number } {
  const started = process.hrtime.bigint();
  const [events, check] = run(chunks);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { rate: events / seconds, events, check };
}

function main(): void {
  if (sharedSkip) {
    console.log(`skipped: ${sharedSkip}`);
    return;
  }
  const deadline = Date.now() + BUDGET_MS;
  const { stream, events, meanBytes } = buildStream();
  console.log(`stream: ${(stream.length / 1048576).toFixed(1)} MiB, ${events} JSON events (${EVENT_FILES.length} real bodies, mean frame ${meanBytes} B)`);
  console.log(`node ${process.version}, ${WARMUP_ROUNDS} warm-up + ${ROUNDS} measured rounds per chunk size, fife and modesl alternating`);
  const rows: string[] = [];
  for (const size of CHUNK_SIZES) {
    const chunks = chunk(stream, size);
    const ours: number[] = [];
    const theirs: number[] = [];
    const ratios: number[] = [];
    // At least one measured round per chunk size; more while the time budget lasts.
    for (let round = 0; round <= WARMUP_ROUNDS || (round < WARMUP_ROUNDS + ROUNDS && Date.now() < deadline); round++) {
      const a = measure(runOurs, chunks);
      const b = measure(runModesl, chunks);
      if (a.events !== events || b.events !== events) throw new Error(`event counts differ: ours ${a.events}, modesl ${b.events}, expected ${events}`);
      if (a.check !== b.check) throw new Error(`parsers disagree on content: ${a.check} vs ${b.check}`);
      if (round < WARMUP_ROUNDS) continue;
      ours.push(a.rate);
      theirs.push(b.rate);
      // Each round runs both back to back, so a per-round ratio cancels out load that shifts between rounds.
      ratios.push(a.rate / b.rate);
    }
    const o = median(ours);
    const m = median(theirs);
    const r = median(ratios);
    console.log(
      `chunk ${String(size).padStart(5)} B: fife ${Math.round(o).toLocaleString('en-US')} ev/s, modesl ${Math.round(m).toLocaleString('en-US')} ev/s, ratio ${r.toFixed(2)}x (median of ${ratios.length} paired rounds; per-round ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x)`,
    );
    rows.push(`| esl JSON event parse, ${size} B chunks | ${Math.round(o)} ev/s | ${Math.round(m)} ev/s (modesl 1.2.1) | ${r.toFixed(2)}x |`);
  }
  console.log('\n| benchmark | fife | baseline | ratio |\n|---|---|---|---|');
  for (const row of rows) console.log(row);
}

main();
