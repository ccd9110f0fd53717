import { z } from 'zod';
import type { FifeError } from '@fife/api';
import { decodeJsonEvent, decodePlainEvent, decodeXmlEvent } from './event-codec.js';
import { eslEventSchema, type EslEvent, type EventFormat } from './event.js';
import type { EslFrame, FrameHeaders } from './frame.js';
import { urlDecode } from './url-codec.js';

/** Reply to every command except `api` (and `api` itself when FreeSWITCH refuses it before auth). */
export const commandReplySchema = z.object({
  /** False only when Reply-Text starts with `-ERR`; `getvar` answers a bare value, which counts as ok. */
  ok: z.boolean(),
  replyText: z.string(),
  headers: z.record(z.string(), z.string()),
  jobUuid: z.string().optional(),
  /** Outbound `connect`: the channel's data, sent as a plain event header block. */
  channelData: eslEventSchema.optional(),
});
export type CommandReply = z.infer<typeof commandReplySchema>;

export const disconnectNoticeSchema = z.object({
  /** `disconnect` or `linger` when the connection is tied to a channel. */
  disposition: z.string().optional(),
  controlledSessionUuid: z.string().optional(),
  lingerTime: z.string().optional(),
  text: z.string(),
  headers: z.record(z.string(), z.string()),
});
export type DisconnectNotice = z.infer<typeof disconnectNoticeSchema>;

export const logLineSchema = z.object({
  level: z.number().int(),
  text: z.string(),
  headers: z.record(z.string(), z.string()),
});
export type LogLine = z.infer<typeof logLineSchema>;

export type EslMessage =
  | { type: 'auth-request' }
  | { type: 'command-reply'; reply: CommandReply }
  | { type: 'api-response'; body: string }
  | { type: 'event'; format: EventFormat; event: EslEvent }
  | { type: 'log'; log: LogLine }
  | { type: 'disconnect-notice'; notice: DisconnectNotice }
  | { type: 'rude-rejection'; text: string }
  | { type: 'unknown'; frame: EslFrame };

export type ClassifyResult = EslMessage | { type: 'error'; error: FifeError; frame: EslFrame };

/** Turns a frame into what it means. Dispatches on Content-Type, never on header order. */
export function classifyFrame(frame: EslFrame): ClassifyResult {
  const type = frame.headers['Content-Type'];
  switch (type) {
    case 'text/event-json':
      return eventMessage(frame, 'json', decodeJsonEvent(bodyOf(frame)));
    case 'text/event-plain':
      return eventMessage(frame, 'plain', decodePlainEvent(bodyOf(frame)));
    case 'text/event-xml':
      return eventMessage(frame, 'xml', decodeXmlEvent(bodyOf(frame)));
    case 'command/reply':
      return { type: 'command-reply', reply: commandReply(frame.headers) };
    case 'api/response':
      return { type: 'api-response', body: textOf(frame) };
    case 'auth/request':
      return { type: 'auth-request' };
    case 'text/disconnect-notice':
      return { type: 'disconnect-notice', notice: disconnectNotice(frame) };
    case 'log/data':
      return { type: 'log', log: { level: Number(frame.headers['Log-Level'] ?? -1), text: textOf(frame), headers: frame.headers } };
    case 'text/rude-rejection':
      return { type: 'rude-rejection', text: textOf(frame) };
    default:
      return { type: 'unknown', frame };
  }
}

const EMPTY = Buffer.alloc(0);
const bodyOf = (frame: EslFrame): Buffer => frame.body ?? EMPTY;
const textOf = (frame: EslFrame): string => (frame.body === undefined ? '' : frame.body.toString('utf8'));

function eventMessage(frame: EslFrame, format: EventFormat, decoded: EslEvent | FifeError): ClassifyResult {
  return decoded instanceof Error ? { type: 'error', error: decoded, frame } : { type: 'event', format, event: decoded };
}

/**
 * The outbound `connect` reply is the channel serialised as a plain event (URL-encoded values,
 * `Reply-Text: %2BOK%0A`), so it is decoded when it carries an Event-Name; other replies are literal.
 */
export function commandReply(raw: FrameHeaders): CommandReply {
  const isEvent = raw['Event-Name'] !== undefined;
  const headers = isEvent ? decodeHeaderValues(raw) : raw;
  const replyText = (headers['Reply-Text'] ?? '').replace(/\n+$/, '');
  const reply: CommandReply = { ok: !replyText.startsWith('-ERR'), replyText, headers };
  const job = headers['Job-UUID'];
  if (job !== undefined) reply.jobUuid = job;
  if (isEvent) reply.channelData = { headers: channelDataHeaders(headers) };
  return reply;
}

function decodeHeaderValues(raw: FrameHeaders): FrameHeaders {
  const out: FrameHeaders = {};
  for (const name in raw) out[name] = urlDecode(raw[name]!);
  return out;
}

const REPLY_ONLY_HEADERS = new Set(['Content-Type', 'Reply-Text', 'Socket-Mode', 'Control']);

function channelDataHeaders(headers: FrameHeaders): FrameHeaders {
  const out: FrameHeaders = {};
  for (const name in headers) if (!REPLY_ONLY_HEADERS.has(name)) out[name] = headers[name]!;
  return out;
}

function disconnectNotice(frame: EslFrame): DisconnectNotice {
  const h = frame.headers;
  const notice: DisconnectNotice = { text: textOf(frame), headers: h };
  if (h['Content-Disposition'] !== undefined) notice.disposition = h['Content-Disposition'];
  if (h['Controlled-Session-UUID'] !== undefined) notice.controlledSessionUuid = h['Controlled-Session-UUID'];
  if (h['Linger-Time'] !== undefined) notice.lingerTime = h['Linger-Time'];
  return notice;
}

/** `+OK Job-UUID: x` → `Job-UUID: x`; the text after the status word. */
export function replyDetail(replyText: string): string {
  if (replyText.startsWith('+OK')) return replyText.slice(3).trimStart();
  if (replyText.startsWith('-ERR')) return replyText.slice(4).trimStart();
  return replyText;
}
