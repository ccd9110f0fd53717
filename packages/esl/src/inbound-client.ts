import { connect as netConnect } from 'node:net';
import { z } from 'zod';
import type { FifeError } from '@fife/api';
import { backoffDelay, backoffOptionsSchema } from './backoff.js';
import { EslCommander, type CommandOptions } from './commander.js';
import {
  authCommand,
  eventCommand,
  exitCommand,
  lingerCommand,
  logCommand,
  nixeventCommand,
  nologCommand,
  noeventsCommand,
  type EncodedCommand,
} from './commands.js';
import { EslConnection, type ReplyMessage } from './connection.js';
import { asFifeError, eslError, eslErrorCodes, parseOptions } from './errors.js';
import { eventFormatSchema, type EslEvent } from './event.js';
import type { CommandReply, DisconnectNotice, EslMessage, LogLine } from './message.js';
import { Subscriptions } from './subscriptions.js';
import { livenessOptionsSchema, watchLiveness } from './liveness.js';

export const eslClientOptionsSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8021),
  password: z.string().default('ClueCon'),
  eventFormat: eventFormatSchema.default('json'),
  /** Event names to subscribe to on every (re)connect; subclasses contain `::` (`sofia::register`). */
  events: z.array(z.string().min(1)).default([]),
  commandTimeoutMs: z.number().positive().default(10_000),
  /** From TCP connect to `+OK accepted`, subscriptions included. */
  connectTimeoutMs: z.number().positive().default(5_000),
  jobTimeoutMs: z.number().positive().default(120_000),
  reconnect: z.union([backoffOptionsSchema, z.literal(false)]).default(backoffOptionsSchema.parse({})),
  liveness: livenessOptionsSchema.default({ mode: 'heartbeat', timeoutMs: 45_000 }),
  maxHeaderBytes: z.number().int().positive().optional(),
  maxBodyBytes: z.number().int().positive().optional(),
});
export type EslClientOptions = z.input<typeof eslClientOptionsSchema>;
type ResolvedOptions = z.infer<typeof eslClientOptionsSchema>;

export type EslClientEvents = {
  up: [];
  down: [reason: FifeError];
  event: [event: EslEvent];
  error: [error: FifeError];
  'disconnect-notice': [notice: DisconnectNotice];
  log: [line: LogLine];
};

type Waiter = { resolve: (connection: EslConnection) => void; reject: (error: FifeError) => void; timer: NodeJS.Timeout };

/**
 * Inbound ESL client: connects to FreeSWITCH, authenticates, subscribes, and keeps doing so after every
 * drop (exponential backoff with jitter). Commands issued while the connection is down wait for it to
 * come back, within their own deadline. Emits 'up', 'down', 'event', 'error', 'disconnect-notice', 'log'.
 */
export class EslClient extends EslCommander<EslClientEvents> {
  private readonly options: ResolvedOptions;
  private readonly subscriptions: Subscriptions;
  private connection: EslConnection | undefined;
  private isUp = false;
  private started = false;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private stopLiveness: () => void = () => undefined;
  private waiters: Waiter[] = [];
  private restoring = false;
  private lateCommands: EncodedCommand[] = [];

  constructor(options: EslClientOptions = {}) {
    const parsed = parseOptions(eslClientOptionsSchema, options, 'EslClient');
    super(parsed.commandTimeoutMs, parsed.jobTimeoutMs);
    this.options = parsed;
    const internal = ['BACKGROUND_JOB', ...(parsed.liveness.mode === 'heartbeat' ? ['HEARTBEAT'] : [])];
    this.subscriptions = new Subscriptions(internal);
    this.subscriptions.add(parsed.events);
  }

  get up(): boolean {
    return this.isUp;
  }

  /** Starts connecting (idempotent); resolves nothing, watch 'up' or call `ready()`. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    this.stopped = false;
    this.open();
    return this;
  }

  /** Resolves when authenticated and subscribed; rejects after `timeoutMs` or on `stop()`. */
  async ready(timeoutMs = this.options.connectTimeoutMs): Promise<void> {
    this.start();
    await this.whenUp(timeoutMs, 'ready');
  }

  /** Sends `exit` when up, closes the socket, stops reconnecting; pending commands and jobs are rejected. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    clearTimeout(this.reconnectTimer);
    const stoppedError = eslError(eslErrorCodes.stopped, 'ESL client stopped');
    this.rejectWaiters(stoppedError);
    this.failWaiters(stoppedError);
    const connection = this.connection;
    if (connection === undefined || connection.closed) return;
    const closed = new Promise<void>((resolve) => connection.socket.once('close', () => resolve()));
    if (this.isUp) await connection.send(exitCommand(), 1_000).catch(() => undefined);
    connection.destroy(stoppedError);
    await closed;
  }

  // ---- subscriptions: recorded so they are re-applied after a reconnect ----

  /** `event <format> <names>`; names with `::` are CUSTOM subclasses. */
  async subscribe(names: readonly string[], options?: CommandOptions): Promise<void> {
    const added = this.subscriptions.add(names);
    if (added.length > 0) await this.sendAll([eventCommand(this.options.eventFormat, added)], options);
  }

  /** `nixevent <names>`. */
  async unsubscribe(names: readonly string[], options?: CommandOptions): Promise<void> {
    const removed = this.subscriptions.remove(names);
    if (removed.length > 0) await this.sendAll([nixeventCommand(removed)], options);
  }

  /** `noevents`, then the client's own subscriptions (BACKGROUND_JOB, HEARTBEAT) are restored. */
  async noevents(options?: CommandOptions): Promise<void> {
    this.subscriptions.clear();
    const restore = eventCommand(this.options.eventFormat, this.subscriptions.eventTokens());
    if (!this.isUp) return this.sendAll([noeventsCommand(), restore], options).catch(() => undefined);
    await this.command(() => noeventsCommand(), options).catch((error: FifeError) => {
      if (!/not listening/.test(String(error.context.replyText))) throw error;
    });
    await this.command(() => restore, options);
  }

  /**
   * `filter <header> <value>`. FreeSWITCH then delivers only events matching a positive filter, so the
   * first filter also adds `Event-Name BACKGROUND_JOB` (and HEARTBEAT) to keep bgapi and liveness working;
   * they are removed again with the last user filter.
   */
  async filter(headerName: string, value: string, options?: CommandOptions): Promise<void> {
    await this.sendAll(this.subscriptions.addFilter(headerName, value), options);
  }

  /** `filter delete <header> [<value>]`. */
  async filterDelete(headerName: string, value?: string, options?: CommandOptions): Promise<void> {
    await this.sendAll(this.subscriptions.removeFilter(headerName, value), options);
  }

  /** `filter delete all`. */
  async filterDeleteAll(options?: CommandOptions): Promise<void> {
    await this.sendAll(this.subscriptions.clearFilters(), options);
  }

  /**
   * Recorded changes reach a live connection now and a future one through `restoreCommands`. A change
   * made while a connection is being set up may have missed its restore list, so it is queued behind it.
   */
  private async sendAll(commands: EncodedCommand[], options?: CommandOptions): Promise<void> {
    if (!this.isUp) {
      if (this.restoring) this.lateCommands.push(...commands);
      return;
    }
    for (const command of commands) await this.command(() => command, options);
  }

  /** Inbound connections get `-ERR not controlling a session` unless bound by myevents; kept for parity. */
  linger(seconds?: number, options?: CommandOptions): Promise<CommandReply> {
    return this.command(() => lingerCommand(seconds), options);
  }

  /** `log <level>`: log lines then arrive as 'log' events (not restored after a reconnect). */
  log(level: string | number, options?: CommandOptions): Promise<CommandReply> {
    return this.command(() => logCommand(level), options);
  }

  nolog(options?: CommandOptions): Promise<CommandReply> {
    return this.command(() => nologCommand(), options);
  }

  /** Same as `stop()`: an inbound `exit` is a deliberate goodbye. */
  exit(): Promise<void> {
    return this.stop();
  }

  // ---- connection lifecycle ----

  protected async dispatch(command: EncodedCommand, timeoutMs: number): Promise<ReplyMessage> {
    const started = Date.now();
    const connection = await this.whenUp(timeoutMs, command.label);
    return connection.send(command, Math.max(1, timeoutMs - (Date.now() - started)));
  }

  private open(): void {
    const socket = netConnect({ host: this.options.host, port: this.options.port });
    socket.setNoDelay(true);
    const connection = new EslConnection(
      socket,
      {
        onMessage: (message) => this.onMessage(connection, message),
        onError: (error) => this.safeEmit('error', error),
        onClose: (reason) => this.onClose(connection, reason),
      },
      {
        commandTimeoutMs: this.options.commandTimeoutMs,
        maxHeaderBytes: this.options.maxHeaderBytes,
        maxBodyBytes: this.options.maxBodyBytes,
      },
    );
    this.connection = connection;
    this.connectTimer = setTimeout(() => {
      connection.destroy(
        eslError(eslErrorCodes.connectFailed, `ESL ${this.address()} not ready within ${this.options.connectTimeoutMs} ms`),
      );
    }, this.options.connectTimeoutMs);
  }

  private onMessage(connection: EslConnection, message: EslMessage): void {
    switch (message.type) {
      case 'auth-request':
        void this.authenticate(connection);
        return;
      case 'event':
        this.settleWaiters(message.event);
        this.safeEmit('event', message.event);
        return;
      case 'disconnect-notice':
        this.safeEmit('disconnect-notice', message.notice);
        return;
      case 'log':
        this.safeEmit('log', message.log);
        return;
      case 'rude-rejection':
        connection.destroy(eslError(eslErrorCodes.connectFailed, `ESL ${this.address()} rejected us: ${message.text.trim()}`));
        return;
      default:
        return;
    }
  }

  private async authenticate(connection: EslConnection): Promise<void> {
    try {
      const auth = await connection.send(authCommand(this.options.password));
      if (auth.type !== 'command-reply' || !auth.reply.ok) {
        const text = auth.type === 'command-reply' ? auth.reply.replyText : 'api/response';
        throw eslError(eslErrorCodes.authFailed, `ESL ${this.address()} refused the password: ${text}`);
      }
      this.restoring = true;
      this.lateCommands = [];
      const commands = this.subscriptions.restoreCommands(this.options.eventFormat);
      for (let command = commands.shift(); command !== undefined; command = commands.shift() ?? this.lateCommands.shift()) {
        const reply = await connection.send(command);
        if (reply.type === 'command-reply' && !reply.reply.ok && !command.label.startsWith('noevents')) {
          throw eslError(eslErrorCodes.commandFailed, `"${command.label}" failed: ${reply.reply.replyText}`);
        }
      }
      this.restoring = false;
      this.markUp(connection);
    } catch (error) {
      this.restoring = false;
      // onClose reports it as the reason this attempt failed.
      connection.destroy(asFifeError(error, eslErrorCodes.connectFailed, 'ESL setup failed'));
    }
  }

  private markUp(connection: EslConnection): void {
    if (connection !== this.connection || connection.closed) return;
    clearTimeout(this.connectTimer);
    this.isUp = true;
    this.attempt = 0;
    this.stopLiveness = watchLiveness(connection, this.options.liveness, this.address());
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(connection);
    }
    this.safeEmit('up');
  }

  private onClose(connection: EslConnection, reason: FifeError): void {
    if (connection !== this.connection) return;
    clearTimeout(this.connectTimer);
    this.stopLiveness();
    this.connection = undefined;
    const wasUp = this.isUp;
    this.isUp = false;
    if (wasUp) this.safeEmit('down', reason);
    else if (!this.stopped) this.safeEmit('error', connectError(reason, this.address()));
    if (!this.stopped && this.started) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const policy = this.options.reconnect;
    if (policy === false) {
      this.started = false;
      this.rejectWaiters(eslError(eslErrorCodes.disconnected, `ESL ${this.address()} is down and reconnect is off`));
      return;
    }
    const delay = backoffDelay(this.attempt++, policy);
    this.reconnectTimer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
  }

  private whenUp(timeoutMs: number, label: string): Promise<EslConnection> {
    if (this.isUp && this.connection !== undefined) return Promise.resolve(this.connection);
    if (this.stopped || (!this.started && this.options.reconnect === false)) {
      return Promise.reject(eslError(eslErrorCodes.disconnected, `ESL client is not connected (${label})`));
    }
    return new Promise<EslConnection>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(
            eslError(eslErrorCodes.timeout, `ESL ${this.address()} not up within ${timeoutMs} ms (${label})`, {
              command: label,
              timeoutMs,
            }),
          );
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private rejectWaiters(error: FifeError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  private address(): string {
    return `${this.options.host}:${this.options.port}`;
  }
}

function connectError(reason: FifeError, address: string): FifeError {
  if (reason.code === eslErrorCodes.connectFailed || reason.code === eslErrorCodes.authFailed) return reason;
  return eslError(eslErrorCodes.connectFailed, `ESL ${address} connection failed: ${reason.message}`, {}, reason);
}
