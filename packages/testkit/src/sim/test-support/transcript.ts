import { readFileSync } from 'node:fs';
import { FrameSplitter, header, type ServerFrame } from './raw-client.js';

/** One line of an esl-transcript-*.jsonl capture. */
export interface TranscriptEntry {
  seq: number;
  dir: 'server' | 'client';
  t: number;
  data: string;
}

export function readTranscript(path: string): TranscriptEntry[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as TranscriptEntry);
}

/** Groups server frames by the client command they followed (step 0 = before the first command). */
export interface Step {
  client: TranscriptEntry | undefined;
  frames: ServerFrame[];
}

export function capturedSteps(entries: TranscriptEntry[]): Step[] {
  const steps: Step[] = [{ client: undefined, frames: [] }];
  const splitter = new FrameSplitter();
  for (const e of entries) {
    if (e.dir === 'client') steps.push({ client: e, frames: [] });
    else steps[steps.length - 1]!.frames.push(...splitter.push(Buffer.from(e.data, 'utf8')));
  }
  return steps;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * What is compared between a captured frame and the simulator's: the frame's Content-Type and header names, for
 * command replies the Reply-Text with UUIDs blanked, for events the event's identity and the names of its
 * headers (values — UUIDs, dates, sequence numbers — naturally differ and are not compared).
 */
export interface FrameShape {
  key: string;
  frameHeaders: string[];
  replyText: string | undefined;
  eventHeaders: string[];
  variables: string[];
}

function eventHeaderNames(frame: ServerFrame): Array<[string, string]> {
  const type = header(frame, 'Content-Type');
  if (type === 'text/event-json') {
    const obj = JSON.parse(frame.body) as Record<string, unknown>;
    return Object.entries(obj)
      .filter(([k]) => k !== '_body')
      .map(([k, v]) => [k, String(v)]);
  }
  if (type === 'text/event-plain') {
    const head = frame.body.split('\n\n')[0] ?? '';
    return head.split('\n').map((l) => {
      const i = l.indexOf(': ');
      return [l.slice(0, i), decodeURIComponent(l.slice(i + 2))] as [string, string];
    });
  }
  if (type === 'text/event-xml') {
    const out: Array<[string, string]> = [];
    for (const m of frame.body.matchAll(/<([A-Za-z0-9_-]+)>([^<]*)<\/\1>/g)) out.push([m[1]!, decodeURIComponent(m[2]!)]);
    return out;
  }
  return [];
}

export function frameShape(frame: ServerFrame): FrameShape {
  const type = header(frame, 'Content-Type') ?? '';
  const ev = eventHeaderNames(frame);
  const get = (n: string): string => ev.find(([k]) => k === n)?.[1] ?? '';
  const channel = get('Channel-Name').replace(/^.*-(a|b)$/, 'loopback-$1').replace(/^sofia\/.*$/, 'sofia');
  const key = ev.length ? `${type}|${get('Event-Name')}|${get('Event-Subclass')}|${channel}` : type;
  const replyText = header(frame, 'Reply-Text')?.replace(UUID, '<uuid>');
  return {
    key,
    frameHeaders: frame.headers.map(([k]) => k),
    replyText,
    eventHeaders: ev.map(([k]) => k).filter((k) => !k.startsWith('variable_')),
    variables: ev.map(([k]) => k).filter((k) => k.startsWith('variable_')),
  };
}
