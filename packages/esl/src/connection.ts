import type { Socket } from 'node:net';
import type { FifeError } from '@fife/api';
import type { EncodedCommand } from './commands.js';
import { eslError, eslErrorCodes } from './errors.js';
import { classifyFrame, type CommandReply, type EslMessage } from './message.js';
import { EslFrameParser, type FrameParserOptions } from './parser.js';

export type ReplyMessage = { type: 'command-reply'; reply: CommandReply } | { type: 'api-response'; body: string };

export type ConnectionHandlers = {
  /** Everything that is not the reply to a command: events, notices, log lines, auth/request. */
  onMessage: (message: EslMessage) => void;
  onError: (error: FifeError) => void;
  /** Called once, after every pending command has been rejected with `reason`. */
  onClose: (reason: FifeError) => void;
};

export type ConnectionOptions = FrameParserOptions & {
  /** Deadline of a command that names none (default 10 s). */
  commandTimeoutMs?: number;
};

type Pending = {
  command: EncodedCommand;
  resolve: (reply: ReplyMessage) => void;
  reject: (error: FifeError) => void;
  timer: NodeJS.Timeout | undefined;
  /** `orphan`: its deadline passed after it was written; its late reply is still owed and is dropped. */
  state: 'queued' | 'sent' | 'orphan';
};

export const defaultCommandTimeoutMs = 10_000;

/**
 * One ESL socket: frames in, commands out. FreeSWITCH serves a connection with one thread, so replies
 * come back in command order; commands are written one at a time (an `api` blocks that thread anyway)
 * and matched to replies first-in first-out.
 */
export class EslConnection {
  private readonly parser: EslFrameParser;
  private readonly queue: Pending[] = [];
  private readonly inFlight: Pending[] = [];
  private readonly commandTimeoutMs: number;
  private closeReason: FifeError | undefined;
  private isClosed = false;
  /** `Date.now()` of the last frame received; liveness checks read it. */
  lastFrameAt = Date.now();

  constructor(
    readonly socket: Socket,
    private readonly handlers: ConnectionHandlers,
    options: ConnectionOptions = {},
  ) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? defaultCommandTimeoutMs;
    this.parser = new EslFrameParser(
      {
        onFrame: (frame) => this.onFrame(classifyFrame(frame)),
        onError: (error, fatal) => this.onParseError(error, fatal),
      },
      options,
    );
    socket.on('data', (chunk: Buffer) => this.parser.push(chunk));
    socket.on('error', (error) => {
      this.closeReason ??= eslError(eslErrorCodes.disconnected, `ESL socket error: ${error.message}`, {}, error);
    });
    socket.on('close', () => this.finish());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Commands written or waiting to be written. */
  get pendingCommands(): number {
    return this.queue.length + this.inFlight.filter((p) => p.state === 'sent').length;
  }

  send(command: EncodedCommand, timeoutMs = this.commandTimeoutMs): Promise<ReplyMessage> {
    if (this.isClosed || this.socket.destroyed) {
      return Promise.reject(this.closeReason ?? eslError(eslErrorCodes.disconnected, `ESL connection is closed (${command.label})`));
    }
    return new Promise<ReplyMessage>((resolve, reject) => {
      const pending: Pending = { command, resolve, reject, timer: undefined, state: 'queued' };
      pending.timer = setTimeout(() => this.expire(pending, timeoutMs), timeoutMs);
      this.queue.push(pending);
      this.pump();
    });
  }

  /** Closes the socket; pending commands are rejected with `reason`. */
  destroy(reason: FifeError): void {
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  private pump(): void {
    if (this.inFlight.some((p) => p.state === 'sent')) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    next.state = 'sent';
    this.inFlight.push(next);
    this.socket.write(next.command.wire);
  }

  private expire(pending: Pending, timeoutMs: number): void {
    pending.timer = undefined;
    if (pending.state === 'queued') this.queue.splice(this.queue.indexOf(pending), 1);
    else pending.state = 'orphan';
    pending.reject(
      eslError(eslErrorCodes.timeout, `ESL command "${pending.command.label}" got no reply within ${timeoutMs} ms`, {
        command: pending.command.label,
        timeoutMs,
      }),
    );
    this.pump();
  }

  private onFrame(result: ReturnType<typeof classifyFrame>): void {
    this.lastFrameAt = Date.now();
    if (result.type === 'error') return this.safely(() => this.handlers.onError(result.error));
    if (result.type === 'command-reply' || result.type === 'api-response') return this.settle(result);
    this.safely(() => this.handlers.onMessage(result));
  }

  private settle(reply: ReplyMessage): void {
    const pending = this.inFlight.shift();
    if (pending === undefined) {
      const text = reply.type === 'command-reply' ? reply.reply.replyText : reply.body.slice(0, 80);
      this.safely(() =>
        this.handlers.onError(eslError(eslErrorCodes.unexpectedReply, `ESL reply with no command waiting: ${text}`)),
      );
      return;
    }
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    if (pending.state === 'sent') pending.resolve(reply);
    this.pump();
  }

  private onParseError(error: FifeError, fatal: boolean): void {
    this.safely(() => this.handlers.onError(error));
    // The byte stream is out of step; only a new connection can resynchronise it.
    if (fatal) this.destroy(error);
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const reason = this.closeReason ?? eslError(eslErrorCodes.disconnected, 'ESL connection closed by the peer');
    for (const pending of [...this.inFlight, ...this.queue]) {
      if (pending.timer !== undefined) clearTimeout(pending.timer);
      if (pending.state !== 'orphan') pending.reject(reason);
    }
    this.inFlight.length = 0;
    this.queue.length = 0;
    this.safely(() => this.handlers.onClose(reason));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      try {
        this.handlers.onError(eslError(eslErrorCodes.listener, `ESL handler threw: ${String(error)}`, {}, error));
      } catch {
        // Nothing left to report to; the socket callback must not throw.
      }
    }
  }
}
