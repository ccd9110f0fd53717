/** Server-side ESL frames, byte for byte as FreeSWITCH 1.10.12 writes them (see fixtures/freeswitch/frames). */
import type { EventFormat } from '../event.js';

export const DISCONNECT_TEXT = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

export const authRequestFrame = (): string => 'Content-Type: auth/request\n\n';

export function commandReplyFrame(replyText: string, extra: ReadonlyArray<readonly [string, string]> = []): string {
  let out = `Content-Type: command/reply\nReply-Text: ${replyText}\n`;
  for (const [k, v] of extra) out += `${k}: ${v}\n`;
  return out + '\n';
}

export function apiResponseFrame(body: string): string {
  return `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
}

const CONTENT_TYPES: Record<EventFormat, string> = {
  plain: 'text/event-plain',
  json: 'text/event-json',
  xml: 'text/event-xml',
};

/** Event frames put Content-Length before Content-Type, unlike every other frame. */
export function eventFrame(format: EventFormat, payload: string): string {
  return `Content-Length: ${Buffer.byteLength(payload)}\nContent-Type: ${CONTENT_TYPES[format]}\n\n${payload}`;
}

export function disconnectNoticeFrame(session?: { uuid: string }): string {
  let out = 'Content-Type: text/disconnect-notice\n';
  if (session) out += `Controlled-Session-UUID: ${session.uuid}\nContent-Disposition: disconnect\n`;
  return out + `Content-Length: ${Buffer.byteLength(DISCONNECT_TEXT)}\n\n${DISCONNECT_TEXT}`;
}

export function lingerNoticeFrame(uuid: string, channelName: string, lingerTime: number): string {
  return (
    'Content-Type: text/disconnect-notice\n' +
    `Controlled-Session-UUID: ${uuid}\nContent-Disposition: linger\nChannel-Name: ${channelName}\n` +
    `Linger-Time: ${lingerTime}\nContent-Length: 0\n\n`
  );
}

export interface LogLine {
  level: number;
  file: string;
  func: string;
  line: number;
  text: string;
}

export function logDataFrame(entry: LogLine, body: string): string {
  return (
    `Content-Type: log/data\nContent-Length: ${Buffer.byteLength(body)}\nLog-Level: ${entry.level}\nText-Channel: 3\n` +
    `Log-File: ${entry.file}\nLog-Func: ${entry.func}\nLog-Line: ${entry.line}\nUser-Data: \n\n${body}`
  );
}
