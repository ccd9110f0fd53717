import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { FifeError } from '@fife/api';
import {
  apiCommand,
  bgapiCommand,
  encodeCommand,
  executeCommand,
  hangupCommand,
  sendeventCommand,
  type CommandHeaders,
  type EncodedCommand,
  type ExecuteOptions,
  type SendmsgTarget,
} from './commands.js';
import type { ReplyMessage } from './connection.js';
import { asFifeError, eslError, eslErrorCodes } from './errors.js';
import { JobTracker, type BackgroundJobResult } from './jobs.js';
import { ExecuteCompletions } from './app-waiters.js';
import type { EslEvent } from './event.js';
import type { CommandReply } from './message.js';

export type CommandOptions = { timeoutMs?: number };
/**
 * `jobUuid`: the Job-UUID header to send (default: a random one); `false` sends none and lets
 * FreeSWITCH choose, the job is then matched through the uuid in the reply.
 */
export type BgapiOptions = { timeoutMs?: number; jobUuid?: string | false };
export type ExecuteResult = { reply: CommandReply; eventUuid: string | undefined };

type AnyEvents = Record<string, unknown[]>;

/**
 * The commands an inbound client and an outbound session share. Subclasses only say how a command
 * reaches a socket (`dispatch`). Every method returns a promise that settles with a typed value or a
 * FifeError; nothing throws synchronously, and invalid input becomes a rejected promise.
 */
export abstract class EslCommander<Events extends AnyEvents> extends EventEmitter<Events> {
  protected readonly jobs = new JobTracker();
  protected readonly completions = new ExecuteCompletions();

  constructor(
    protected readonly commandTimeoutMs: number,
    protected readonly jobTimeoutMs: number,
  ) {
    super();
  }

  protected abstract dispatch(command: EncodedCommand, timeoutMs: number): Promise<ReplyMessage>;

  /** Sends any command and resolves with the raw reply, whatever its status. */
  async sendCommand(
    line: string,
    headers: CommandHeaders = [],
    body?: string,
    options: CommandOptions = {},
  ): Promise<ReplyMessage> {
    return this.dispatch(encodeCommand(line, headers, body), options.timeoutMs ?? this.commandTimeoutMs);
  }

  /** Sends a command/reply command; rejects with `esl.command_failed` on `-ERR`. */
  protected async command(build: () => EncodedCommand, options: CommandOptions = {}): Promise<CommandReply> {
    const command = build();
    const reply = await this.dispatch(command, options.timeoutMs ?? this.commandTimeoutMs);
    if (reply.type !== 'command-reply') {
      throw eslError(eslErrorCodes.unexpectedReply, `"${command.label}" was answered by an api/response`);
    }
    if (!reply.reply.ok) {
      throw eslError(eslErrorCodes.commandFailed, `"${command.label}" failed: ${reply.reply.replyText}`, {
        command: command.label,
        replyText: reply.reply.replyText,
      });
    }
    return reply.reply;
  }

  /** `api <command>`: resolves with the output; rejects with `esl.command_failed` when it starts with `-ERR`. */
  async api(commandLine: string, options: CommandOptions = {}): Promise<string> {
    const command = apiCommand(commandLine);
    const reply = await this.dispatch(command, options.timeoutMs ?? this.commandTimeoutMs);
    const output = reply.type === 'api-response' ? reply.body : reply.reply.replyText;
    if (output.startsWith('-ERR')) {
      throw eslError(eslErrorCodes.commandFailed, `"${command.label}" failed: ${output.trimEnd()}`, {
        command: command.label,
        output,
      });
    }
    return output;
  }

  /**
   * `bgapi <command>` with a Job-UUID of ours; resolves with the BACKGROUND_JOB body once the job ends
   * (a `-ERR` output resolves with `ok: false`). The deadline covers the whole job.
   */
  async bgapi(commandLine: string, options: BgapiOptions = {}): Promise<BackgroundJobResult> {
    const uuid = options.jobUuid === false || options.jobUuid === undefined ? randomUUID() : options.jobUuid;
    const command = options.jobUuid === false ? encodeCommand(`bgapi ${commandLine}`) : bgapiCommand(commandLine, uuid);
    const result = this.jobs.register(uuid, options.timeoutMs ?? this.jobTimeoutMs, command.label);
    this.dispatch(command, this.commandTimeoutMs).then(
      (reply) => {
        if (reply.type === 'command-reply' && reply.reply.ok) {
          if (reply.reply.jobUuid !== undefined) this.jobs.rekey(uuid, reply.reply.jobUuid);
          return;
        }
        const text = reply.type === 'command-reply' ? reply.reply.replyText : reply.body;
        this.jobs.fail(uuid, eslError(eslErrorCodes.commandFailed, `"${command.label}" refused: ${text}`, { jobUuid: uuid }));
      },
      (error: unknown) => this.jobs.fail(uuid, asFifeError(error, eslErrorCodes.commandFailed, 'bgapi failed')),
    );
    return result;
  }

  /** `sendmsg` execute; `eventUuid` is what CHANNEL_EXECUTE(_COMPLETE) will carry as Application-UUID. */
  async execute(uuid: SendmsgTarget, app: string, arg?: string, options: ExecuteOptions & CommandOptions = {}): Promise<ExecuteResult> {
    let eventUuid: string | undefined;
    const reply = await this.command(() => {
      const built = executeCommand(uuid, app, arg, options);
      eventUuid = built.eventUuid;
      return built;
    }, options);
    return { reply, eventUuid };
  }

  /**
   * Any other `sendmsg` (unicast, nomedia, xferext with repeated `application` headers...): the
   * headers are sent in order, a body gets a content-length.
   */
  sendmsg(uuid: SendmsgTarget, headers: CommandHeaders, body?: string, options: CommandOptions = {}): Promise<CommandReply> {
    return this.command(() => {
      const line = uuid === undefined ? 'sendmsg' : `sendmsg ${uuid}`;
      if (body === undefined) return encodeCommand(line, headers);
      const bytes = Buffer.from(body, 'utf8');
      return encodeCommand(line, [...headers, ['content-length', String(bytes.length)]], bytes);
    }, options);
  }

  /**
   * `execute`, then waits for its CHANNEL_EXECUTE_COMPLETE (matched on Application-UUID) and resolves
   * with that event. The connection must receive CHANNEL_EXECUTE_COMPLETE (subscribe to it, or myevents).
   * `completionTimeoutMs` (default: the bgapi job deadline) bounds the application's run.
   */
  async executeAndWait(
    uuid: SendmsgTarget,
    app: string,
    arg?: string,
    options: ExecuteOptions & CommandOptions & { completionTimeoutMs?: number } = {},
  ): Promise<EslEvent> {
    const eventUuid = typeof options.eventUuid === 'string' ? options.eventUuid : randomUUID();
    const done = this.completions.wait(eventUuid, options.completionTimeoutMs ?? this.jobTimeoutMs, app);
    // It may reject while the execute is still being answered, before anyone awaits it.
    done.catch(() => undefined);
    try {
      await this.execute(uuid, app, arg, { ...options, eventUuid });
    } catch (error) {
      this.completions.fail(eventUuid, asFifeError(error, eslErrorCodes.commandFailed, 'execute failed'));
    }
    return done;
  }

  /** Subclasses pass every received event here so bgapi jobs and executeAndWait calls can settle. */
  protected settleWaiters(event: EslEvent): void {
    this.jobs.settle(event);
    this.completions.settle(event);
  }

  protected failWaiters(error: FifeError): void {
    this.jobs.failAll(error);
    this.completions.failAll(error);
  }

  /** `sendmsg` hangup with a hangup-cause (default NORMAL_CLEARING). */
  hangup(uuid: SendmsgTarget, cause?: string, options: CommandOptions = {}): Promise<CommandReply> {
    return this.command(() => hangupCommand(uuid, cause), options);
  }

  sendevent(name: string, headers: CommandHeaders = [], body?: string, options: CommandOptions = {}): Promise<CommandReply> {
    return this.command(() => sendeventCommand(name, headers, body), options);
  }

  // ---- uuid-targeted api helpers ----

  uuidKill(uuid: string, cause?: string, options?: CommandOptions): Promise<string> {
    return this.api(cause ? `uuid_kill ${uuid} ${cause}` : `uuid_kill ${uuid}`, options);
  }

  /** Resolves undefined for an unset variable (FreeSWITCH answers `_undef_`). */
  async uuidGetvar(uuid: string, name: string, options?: CommandOptions): Promise<string | undefined> {
    const value = await this.api(`uuid_getvar ${uuid} ${name}`, options);
    return value === '_undef_' ? undefined : value;
  }

  uuidSetvar(uuid: string, name: string, value: string, options?: CommandOptions): Promise<string> {
    return this.api(`uuid_setvar ${uuid} ${name} ${value}`, options);
  }

  uuidBreak(uuid: string, all = false, options?: CommandOptions): Promise<string> {
    return this.api(all ? `uuid_break ${uuid} all` : `uuid_break ${uuid}`, options);
  }

  uuidTransfer(uuid: string, destination: string, dialplan = 'XML', context = 'default', options?: CommandOptions): Promise<string> {
    return this.api(`uuid_transfer ${uuid} ${destination} ${dialplan} ${context}`, options);
  }

  uuidExists(uuid: string, options?: CommandOptions): Promise<boolean> {
    return this.api(`uuid_exists ${uuid}`, options).then((out) => out.trim() === 'true');
  }

  /**
   * Emits without letting a listener's exception escape into a socket callback, and never emits
   * 'error' without a listener (Node would throw it).
   */
  protected safeEmit<K extends keyof Events & string>(name: K, ...args: Events[K]): void {
    if (name === 'error' && this.listenerCount(name as never) === 0) return;
    try {
      (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args);
    } catch (error) {
      if (name !== 'error') this.safeEmit('error' as K, ...([asListenerError(error)] as unknown as Events[K]));
    }
  }
}

function asListenerError(error: unknown): FifeError {
  return eslError(eslErrorCodes.listener, `an ESL listener threw: ${String(error)}`, {}, error);
}
