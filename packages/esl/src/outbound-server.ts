import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { z } from 'zod';
import type { FifeError } from '@fife/api';
import { EslCommander, type CommandOptions, type ExecuteResult } from './commander.js';
import {
  connectCommand,
  eventCommand,
  exitCommand,
  filterCommand,
  getvarCommand,
  lingerCommand,
  myeventsCommand,
  nolingerCommand,
  resumeCommand,
  type EncodedCommand,
  type ExecuteOptions,
} from './commands.js';
import { EslConnection, type ReplyMessage } from './connection.js';
import { asFifeError, eslError, eslErrorCodes, parseOptions } from './errors.js';
import { header, uniqueId, type EslEvent, type EventFormat } from './event.js';
import type { CommandReply, DisconnectNotice, EslMessage, LogLine } from './message.js';

export const outboundServerOptionsSchema = z.object({
  /** FreeSWITCH waits about 25 s for `connect`; we wait this long for its reply. */
  connectTimeoutMs: z.number().positive().default(5_000),
  commandTimeoutMs: z.number().positive().default(10_000),
  jobTimeoutMs: z.number().positive().default(120_000),
  maxHeaderBytes: z.number().int().positive().optional(),
  maxBodyBytes: z.number().int().positive().optional(),
});
export type OutboundServerOptions = z.input<typeof outboundServerOptionsSchema>;
type ResolvedOptions = z.infer<typeof outboundServerOptionsSchema>;

export type OutboundSessionEvents = {
  event: [event: EslEvent];
  error: [error: FifeError];
  'disconnect-notice': [notice: DisconnectNotice];
  log: [line: LogLine];
  close: [reason: FifeError];
};

/**
 * One call handed to us by the dialplan `socket` application. There is no auth step; `connect` has
 * been answered with the channel's data before the session is announced. With `full`, every command
 * works; without it FreeSWITCH refuses linger, event, api, bgapi and others (`-ERR command not found`).
 */
export class OutboundSession extends EslCommander<OutboundSessionEvents> {
  private readonly connection: EslConnection;
  private channel: EslEvent = { headers: {} };
  private connectReply: CommandReply | undefined;

  constructor(socket: Socket, options: ResolvedOptions) {
    super(options.commandTimeoutMs, options.jobTimeoutMs);
    this.connection = new EslConnection(
      socket,
      {
        onMessage: (message) => this.onMessage(message),
        onError: (error) => this.safeEmit('error', error),
        onClose: (reason) => {
          this.failWaiters(reason);
          this.safeEmit('close', reason);
        },
      },
      options,
    );
  }

  /** The CHANNEL_DATA event FreeSWITCH answered `connect` with. */
  get channelData(): EslEvent {
    return this.channel;
  }

  get uuid(): string | undefined {
    return uniqueId(this.channel);
  }

  /** `async` or `static` (the `socket` application's async flag). */
  get socketMode(): string | undefined {
    return this.connectReply?.headers['Socket-Mode'];
  }

  /** `full` or `single-channel`. */
  get control(): string | undefined {
    return this.connectReply?.headers.Control;
  }

  get closed(): boolean {
    return this.connection.closed;
  }

  /** Sends `connect`; used by the server before it announces the session. */
  async handshake(timeoutMs: number): Promise<void> {
    const reply = await this.command(() => connectCommand(), { timeoutMs });
    if (reply.channelData === undefined) {
      throw eslError(eslErrorCodes.unexpectedReply, 'connect reply carried no channel data', { replyText: reply.replyText });
    }
    this.connectReply = reply;
    this.channel = reply.channelData;
  }

  myevents(format?: EventFormat, options?: CommandOptions): Promise<CommandReply> {
    return this.command(() => myeventsCommand(undefined, format), options);
  }

  subscribe(names: readonly string[], format: EventFormat = 'json', options?: CommandOptions): Promise<CommandReply> {
    return this.command(() => eventCommand(format, names), options);
  }

  filter(headerName: string, value: string, options?: CommandOptions): Promise<CommandReply> {
    return this.command(() => filterCommand(headerName, value), options);
  }

  /** Keeps the socket open after hangup (needs `full`); `seconds` omitted = until `exit`. */
  linger(seconds?: number, options?: CommandOptions): Promise<CommandReply> {
    return this.command(() => lingerCommand(seconds), options);
  }

  nolinger(options?: CommandOptions): Promise<CommandReply> {
    return this.command(() => nolingerCommand(), options);
  }

  /** The channel continues its dialplan when the socket closes. */
  resume(options?: CommandOptions): Promise<CommandReply> {
    return this.command(() => resumeCommand(), options);
  }

  /** `getvar` answers with the bare value in Reply-Text; `_undef_` (unset) becomes undefined. */
  async getvar(name: string, options?: CommandOptions): Promise<string | undefined> {
    const reply = await this.command(() => getvarCommand(name), options);
    return reply.replyText === '_undef_' ? undefined : reply.replyText;
  }

  /** `sendmsg` without a uuid: the controlled channel. */
  executeHere(app: string, arg?: string, options?: ExecuteOptions & CommandOptions): Promise<ExecuteResult> {
    return this.execute(undefined, app, arg, options);
  }

  hangupHere(cause?: string, options?: CommandOptions): Promise<CommandReply> {
    return this.hangup(undefined, cause, options);
  }

  /** `exit`, then the socket is closed whatever the answer. */
  async exit(options: CommandOptions = { timeoutMs: 1_000 }): Promise<void> {
    if (this.connection.closed) return;
    const closed = new Promise<void>((resolve) => this.connection.socket.once('close', () => resolve()));
    await this.command(() => exitCommand(), options).catch(() => undefined);
    this.connection.destroy(eslError(eslErrorCodes.stopped, 'outbound session exited'));
    await closed;
  }

  destroy(reason: FifeError = eslError(eslErrorCodes.stopped, 'outbound session closed')): void {
    this.connection.destroy(reason);
  }

  protected dispatch(command: EncodedCommand, timeoutMs: number): Promise<ReplyMessage> {
    return this.connection.send(command, timeoutMs);
  }

  private onMessage(message: EslMessage): void {
    if (message.type === 'event') {
      this.settleWaiters(message.event);
      this.safeEmit('event', message.event);
    } else if (message.type === 'disconnect-notice') {
      this.safeEmit('disconnect-notice', message.notice);
    } else if (message.type === 'log') {
      this.safeEmit('log', message.log);
    }
  }
}

export type OutboundServerEvents = {
  session: [session: OutboundSession];
  error: [error: FifeError];
};

/** Listens for FreeSWITCH's `socket` application; announces each call as an OutboundSession after `connect`. */
export class EslOutboundServer extends EventEmitter<OutboundServerEvents> {
  private readonly options: ResolvedOptions;
  private readonly server: Server;
  private readonly sessions = new Set<OutboundSession>();

  constructor(options: OutboundServerOptions = {}) {
    super();
    this.options = parseOptions(outboundServerOptionsSchema, options, 'EslOutboundServer');
    this.server = createServer((socket) => void this.accept(socket));
    this.server.on('error', (error) => this.report(eslError(eslErrorCodes.listener, `outbound server: ${error.message}`, {}, error)));
  }

  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops listening and drops every live session. */
  close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async accept(socket: Socket): Promise<void> {
    socket.setNoDelay(true);
    const session = new OutboundSession(socket, this.options);
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
    try {
      await session.handshake(this.options.connectTimeoutMs);
    } catch (error) {
      const failure = asFifeError(error, eslErrorCodes.connectFailed, 'outbound connect failed');
      this.report(failure);
      session.destroy(failure);
      return;
    }
    try {
      this.emit('session', session);
    } catch (error) {
      this.report(eslError(eslErrorCodes.listener, `session listener threw: ${String(error)}`, {}, error));
    }
  }

  private report(error: FifeError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

/** The `Control` header of the connect reply says whether every command is allowed. */
export const isFullControl = (session: OutboundSession): boolean => session.control === 'full';
export const channelHeader = (session: OutboundSession, name: string): string | undefined => header(session.channelData, name);
