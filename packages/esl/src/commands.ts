import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { eslError, eslErrorCodes } from './errors.js';
import type { EventFormat } from './event.js';

/**
 * Client -> server command bytes. Header order follows what the captures show FreeSWITCH receiving
 * (`frames/client-*.txt`), so a recorded exchange can be replayed byte for byte.
 */
export type CommandHeaders = ReadonlyArray<readonly [string, string]>;

export type EncodedCommand = {
  wire: Buffer;
  /** `api` is answered by api/response, everything else by command/reply. */
  expects: 'api' | 'reply';
  /** First line, for error messages and logs (never the auth password). */
  label: string;
};

function assertSingleLine(what: string, text: string): void {
  if (/[\r\n]/.test(text)) {
    throw eslError(eslErrorCodes.invalidCommand, `${what} must not contain a line break`, { value: text.slice(0, 80) });
  }
}

/** Throws a FifeError on a line break in the command or a header (it would inject a second command). */
export function encodeCommand(line: string, headers: CommandHeaders = [], body?: string | Buffer): EncodedCommand {
  assertSingleLine('command', line);
  if (line.trim() === '') throw eslError(eslErrorCodes.invalidCommand, 'command is empty');
  let head = `${line}\n`;
  for (const [name, value] of headers) {
    assertSingleLine(`header ${name}`, name);
    assertSingleLine(`header ${name}`, value);
    head += `${name}: ${value}\n`;
  }
  const verb = line.split(' ', 1)[0]!;
  const label = verb === 'auth' || verb === 'userauth' ? verb : line.slice(0, 120);
  const expects = verb === 'api' ? 'api' : 'reply';
  if (body === undefined) return { wire: Buffer.from(head + '\n', 'utf8'), expects, label };
  return { wire: Buffer.concat([Buffer.from(head + '\n', 'utf8'), Buffer.from(body)]), expects, label };
}

export const authCommand = (password: string): EncodedCommand => encodeCommand(`auth ${password}`);
export const apiCommand = (command: string): EncodedCommand => encodeCommand(`api ${command}`);
export const bgapiCommand = (command: string, jobUuid: string): EncodedCommand =>
  encodeCommand(`bgapi ${command}`, [['Job-UUID', jobUuid]]);

export function eventCommand(format: EventFormat, names: readonly string[]): EncodedCommand {
  return encodeCommand(`event ${format} ${names.join(' ')}`.trimEnd());
}
export const nixeventCommand = (names: readonly string[]): EncodedCommand => encodeCommand(`nixevent ${names.join(' ')}`);
export const noeventsCommand = (): EncodedCommand => encodeCommand('noevents');
export const filterCommand = (headerName: string, value: string): EncodedCommand =>
  encodeCommand(`filter ${headerName} ${value}`);
export function filterDeleteCommand(headerName: string, value?: string): EncodedCommand {
  return encodeCommand(value === undefined ? `filter delete ${headerName}` : `filter delete ${headerName} ${value}`);
}
export const filterDeleteAllCommand = (): EncodedCommand => encodeCommand('filter delete all');
export const lingerCommand = (seconds?: number): EncodedCommand =>
  encodeCommand(seconds === undefined ? 'linger' : `linger ${Math.floor(seconds)}`);
export const nolingerCommand = (): EncodedCommand => encodeCommand('nolinger');
export const exitCommand = (): EncodedCommand => encodeCommand('exit');
export const connectCommand = (): EncodedCommand => encodeCommand('connect');
export const resumeCommand = (): EncodedCommand => encodeCommand('resume');
export const getvarCommand = (name: string): EncodedCommand => encodeCommand(`getvar ${name}`);
export function myeventsCommand(uuid?: string, format?: EventFormat): EncodedCommand {
  return encodeCommand(['myevents', uuid, format].filter((p) => p !== undefined).join(' '));
}
export const logCommand = (level: string | number): EncodedCommand => encodeCommand(`log ${level}`);
export const nologCommand = (): EncodedCommand => encodeCommand('nolog');

export const executeOptionsSchema = z.object({
  /**
   * Copied by FreeSWITCH into `Application-UUID` of CHANNEL_EXECUTE(_COMPLETE); generated when absent,
   * left out when `false`.
   */
  eventUuid: z.union([z.string().min(1), z.literal(false)]).optional(),
  eventLock: z.boolean().optional(),
  async: z.boolean().optional(),
  loops: z.number().int().optional(),
  holdBleg: z.boolean().optional(),
  /** Force the argument into a text/plain body even when it would fit a header. */
  argInBody: z.boolean().optional(),
});
export type ExecuteOptions = z.infer<typeof executeOptionsSchema>;

/** Above this, an argument travels as a body: header lines are read into a bounded buffer. */
export const maxHeaderArgBytes = 2048;

export type SendmsgTarget = string | undefined;

function sendmsgLine(uuid: SendmsgTarget): string {
  return uuid === undefined ? 'sendmsg' : `sendmsg ${uuid}`;
}

/**
 * `sendmsg` execute. An argument with a line break or longer than `maxHeaderArgBytes` goes in a
 * `text/plain` body framed by content-length, which FreeSWITCH reads when execute-app-arg is absent.
 */
export function executeCommand(
  uuid: SendmsgTarget,
  app: string,
  arg?: string,
  options: ExecuteOptions = {},
): EncodedCommand & { eventUuid: string | undefined } {
  const eventUuid = options.eventUuid === false ? undefined : (options.eventUuid ?? randomUUID());
  const headers: Array<[string, string]> = [
    ['call-command', 'execute'],
    ['execute-app-name', app],
  ];
  const argInBody =
    arg !== undefined && (options.argInBody === true || /[\r\n]/.test(arg) || Buffer.byteLength(arg) > maxHeaderArgBytes);
  if (arg !== undefined && !argInBody) headers.push(['execute-app-arg', arg]);
  if (options.loops !== undefined) headers.push(['loops', String(options.loops)]);
  if (options.eventLock) headers.push(['event-lock', 'true']);
  if (options.async) headers.push(['async', 'true']);
  if (options.holdBleg) headers.push(['hold-bleg', 'true']);
  if (eventUuid !== undefined) headers.push(['Event-UUID', eventUuid]);
  if (!argInBody) return { ...encodeCommand(sendmsgLine(uuid), headers), eventUuid };
  const body = Buffer.from(arg!, 'utf8');
  headers.push(['content-type', 'text/plain'], ['content-length', String(body.length)]);
  return { ...encodeCommand(sendmsgLine(uuid), headers, body), eventUuid };
}

export function hangupCommand(uuid: SendmsgTarget, cause = 'NORMAL_CLEARING'): EncodedCommand {
  return encodeCommand(sendmsgLine(uuid), [
    ['call-command', 'hangup'],
    ['hangup-cause', cause],
  ]);
}

/** `sendevent <NAME>` with headers and an optional body (CUSTOM needs an Event-Subclass header). */
export function sendeventCommand(name: string, headers: CommandHeaders = [], body?: string): EncodedCommand {
  if (body === undefined) return encodeCommand(`sendevent ${name}`, headers);
  const bytes = Buffer.from(body, 'utf8');
  return encodeCommand(
    `sendevent ${name}`,
    [...headers, ['content-type', 'text/plain'], ['content-length', String(bytes.length)]],
    bytes,
  );
}
