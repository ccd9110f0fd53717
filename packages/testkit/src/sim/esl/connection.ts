import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TimerHandle } from '../clock.js';
import { type EventFormat, FsEvent, serializeEvent } from '../event.js';
import { formatLocalDate, SITES } from '../event-factory.js';
import { type ClientCommand, CommandParser } from './command-parser.js';
import {
  apiResponseFrame,
  authRequestFrame,
  commandReplyFrame,
  disconnectNoticeFrame,
  eventFrame,
  lingerNoticeFrame,
  type LogLine,
  logDataFrame,
} from './frames.js';
import type { EslHost } from './host.js';
import { MYEVENTS_SET, Subscriptions } from './subscriptions.js';

const FIRST_COMMAND_TIMEOUT_MS = 25_000;
const LOG_LEVELS: Record<string, number> = {
  console: 0, alert: 1, crit: 2, err: 3, error: 3, warning: 4, notice: 5, info: 6, debug: 7,
};

/**
 * One inbound ESL listener. Commands are served strictly in order (FreeSWITCH uses one thread per connection),
 * and events that arrive while a command runs are held back until its reply has been written.
 */
export class EslConnection {
  private readonly parser = new CommandParser();
  private readonly subs = new Subscriptions();
  private format: EventFormat = 'plain';
  private authed = false;
  private closed = false;
  private busy = false;
  private held: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private logLevel: number | undefined;
  private linger: number | undefined;
  private firstCommandTimer: TimerHandle | undefined;
  private lingerTimer: TimerHandle | undefined;
  private finished = false;
  /** Close once the frames held back during the current command are out (a bound channel hung up meanwhile). */
  private closeAfterFlush = false;
  readonly id = randomUUID();

  constructor(
    private readonly socket: Socket,
    private readonly host: EslHost,
    private readonly onClose: (conn: EslConnection) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
    this.write(authRequestFrame());
    this.firstCommandTimer = host.clock.setTimer(FIRST_COMMAND_TIMEOUT_MS, () => this.close());
  }

  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  /** Called for every fired event; writes it if this listener wants it. */
  deliver(event: FsEvent): void {
    if (this.closed || !this.authed || !this.subs.wants(event)) return;
    this.emitFrame(eventFrame(this.format, serializeEvent(event, this.format)));
  }

  deliverLog(entry: LogLine): void {
    if (this.closed || this.logLevel === undefined || entry.level > this.logLevel) return;
    const now = this.host.clock.now();
    const stamp = `${formatLocalDate(now)}.${String((now % 1000) * 1000).padStart(6, '0')}`;
    const names = ['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];
    const body = `${stamp} 95.00% [${names[entry.level] ?? 'INFO'}] ${entry.file}:${entry.line} ${entry.text}\n`;
    this.emitFrame(logDataFrame(entry, body));
  }

  /** The channel this connection is bound to (myevents) went away. */
  sessionGone(uuid: string): void {
    if (this.subs.sessionUuid !== uuid || this.closed) return;
    if (this.linger === undefined) {
      this.emitFrame(disconnectNoticeFrame());
      if (this.busy) this.closeAfterFlush = true;
      else this.closeSoon();
      return;
    }
    this.emitFrame(lingerNoticeFrame(uuid, this.host.channelName(uuid) ?? '', this.linger));
    if (this.linger > 0) this.lingerTimer = this.host.clock.setTimer(this.linger * 1000, () => this.kick());
  }

  /** Server-side close (shutdown or kick): disconnect notice, then the socket closes. */
  kick(): void {
    if (this.closed) return;
    this.write(disconnectNoticeFrame());
    this.closeSoon();
  }

  private receive(chunk: Buffer): void {
    for (const cmd of this.parser.push(chunk)) {
      this.chain = this.chain.then(() => this.run(cmd)).catch(() => undefined);
    }
  }

  private async run(cmd: ClientCommand): Promise<void> {
    if (this.closed) return;
    this.host.clock.clearTimer(this.firstCommandTimer);
    this.busy = true;
    try {
      await this.dispatch(cmd);
    } finally {
      this.busy = false;
      const held = this.held;
      this.held = [];
      for (const frame of held) this.write(frame);
      if (this.closeAfterFlush) this.closeSoon();
    }
  }

  private async dispatch(cmd: ClientCommand): Promise<void> {
    const [word = '', ...rest] = cmd.line.split(/\s+/);
    const verb = word.toLowerCase();
    const args = cmd.line.slice(word.length).trim();
    if (verb === 'exit' || verb === '...') return this.exit();
    if (!this.authed) return this.beforeAuth(verb, args);
    switch (verb) {
      case 'auth':
        return this.reply('-ERR command not found');
      case 'event':
        return this.event(rest);
      case 'nixevent':
        return this.reply(this.subs.nix(rest) > 0 ? '+OK events nixed' : '-ERR no keywords supplied');
      case 'noevents':
        return this.reply(this.subs.clear() ? '+OK no longer listening for events' : '-ERR not listening for events');
      case 'filter':
        return this.filter(rest);
      case 'myevents':
        return this.myevents(rest);
      case 'linger':
        return this.lingerCommand(rest);
      case 'nolinger':
        this.linger = undefined;
        return this.reply(this.subs.sessionUuid ? '+OK will not linger' : '-ERR not controlling a session');
      case 'api':
        return this.api(args);
      case 'bgapi':
        return this.bgapi(args, cmd);
      case 'sendmsg':
        return this.sendmsg(args, cmd);
      case 'sendevent':
        return this.sendevent(args, cmd);
      case 'log':
        return this.logCommand(rest);
      case 'nolog':
        this.logLevel = undefined;
        return this.reply('+OK no longer logging');
      default:
        return this.reply('-ERR command not found');
    }
  }

  private beforeAuth(verb: string, args: string): void {
    if (verb !== 'auth') return this.reply('-ERR command not found');
    if (args === this.host.password) {
      this.authed = true;
      return this.reply('+OK accepted');
    }
    this.reply('-ERR invalid');
    this.write(disconnectNoticeFrame());
    this.closeSoon();
  }

  private exit(): void {
    this.reply('+OK bye');
    this.write(disconnectNoticeFrame());
    this.closeSoon();
  }

  private event(words: string[]): void {
    let list = words;
    const first = list[0]?.toLowerCase();
    if (first === 'plain' || first === 'json' || first === 'xml') {
      this.format = first;
      list = list.slice(1);
    }
    if (this.subs.subscribe(list) === 0) return this.reply('-ERR no keywords supplied');
    this.reply(`+OK event listener enabled ${this.format}`);
  }

  private filter(words: string[]): void {
    let list = words;
    if (list[0]?.toLowerCase() === 'add') list = list.slice(1);
    if (list[0]?.toLowerCase() === 'delete') {
      const header = list[1];
      if (!header) return this.reply('-ERR invalid syntax');
      const value = list.slice(2).join(' ') || undefined;
      this.subs.deleteFilter(header, value);
      if (header.toLowerCase() === 'all') return this.reply('+OK filter deleted. [all][]');
      return this.reply(`+OK filter deleted. [${header}][${value ?? ''}]`);
    }
    const [header, ...valueWords] = list;
    const value = valueWords.join(' ');
    if (!header || !value) return this.reply('-ERR invalid syntax');
    this.subs.addFilter(header, value);
    this.reply(`+OK filter added. [${header}]=[${value}]`);
  }

  private myevents(words: string[]): void {
    const [uuid, fmt] = words;
    if (this.subs.sessionUuid) return this.reply('-ERR aready enabled.');
    if (!uuid || this.host.channelName(uuid) === undefined) return this.reply('-ERR invalid uuid');
    const format = fmt?.toLowerCase();
    if (format === 'plain' || format === 'json' || format === 'xml') this.format = format;
    this.subs.sessionUuid = uuid;
    this.subs.subscribe(MYEVENTS_SET);
    this.reply('+OK Events Enabled');
  }

  private lingerCommand(words: string[]): void {
    if (!this.subs.sessionUuid) return this.reply('-ERR not controlling a session');
    const seconds = Number.parseInt(words[0] ?? '', 10);
    this.linger = Number.isFinite(seconds) && seconds > 0 ? seconds : -1;
    this.reply('+OK will linger');
  }

  private async api(args: string): Promise<void> {
    const [command = '', ...rest] = args.split(' ');
    const output = await this.host.api(command, rest.join(' ').trim());
    this.write(apiResponseFrame(output));
  }

  private bgapi(args: string, cmd: ClientCommand): void {
    const jobUuid = cmd.headers.get('job-uuid') ?? randomUUID();
    this.reply(`+OK Job-UUID: ${jobUuid}`, [['Job-UUID', jobUuid]]);
    const space = args.indexOf(' ');
    const command = space < 0 ? args : args.slice(0, space);
    const commandArgs = space < 0 ? '' : args.slice(space + 1).trim();
    // Not tracked: a background originate waits on the clock itself.
    void this.host.api(command, commandArgs).then((output) => {
      const event = this.host.events.create('BACKGROUND_JOB', SITES.backgroundJob);
      event.add('Job-UUID', jobUuid).add('Job-Command', command);
      if (commandArgs) event.add('Job-Command-Arg', commandArgs);
      if (this.subs.sessionUuid) event.add('Job-Owner-UUID', this.subs.sessionUuid);
      event.body = output;
      this.host.fire(event);
    });
  }

  private sendmsg(args: string, cmd: ClientCommand): void {
    const uuid = args || cmd.headers.get('session-id') || this.subs.sessionUuid || '';
    this.reply(this.host.sendmsg(uuid, cmd));
  }

  private sendevent(args: string, cmd: ClientCommand): void {
    const name = (args.split(/\s+/)[0] ?? '').toUpperCase() || 'CUSTOM';
    const eventUuid = randomUUID();
    const subclass = cmd.rawHeaders.find(([k]) => k.toLowerCase() === 'event-subclass')?.[1];
    const event = new FsEvent();
    if (subclass !== undefined) event.add('Event-Subclass', subclass);
    event.add('Command', `sendevent ${name}`);
    for (const [k, v] of cmd.rawHeaders) if (k.toLowerCase() !== 'event-subclass') event.add(k, v);
    event.add('Event-UUID', eventUuid);
    this.host.events.appendBase(event, name, SITES.sendevent);
    if (cmd.body !== undefined) event.body = cmd.body;
    this.reply(`+OK ${eventUuid}`);
    this.host.fire(event);
  }

  private logCommand(words: string[]): void {
    const word = (words[0] ?? 'debug').toLowerCase();
    const level = /^\d+$/.test(word) ? Math.min(7, Number(word)) : (LOG_LEVELS[word] ?? 7);
    this.logLevel = level;
    this.reply(`+OK log level ${level} [${level}]`);
  }

  private reply(text: string, extra: ReadonlyArray<readonly [string, string]> = []): void {
    this.write(commandReplyFrame(text, extra));
  }

  private emitFrame(frame: string): void {
    if (this.busy) this.held.push(frame);
    else this.write(frame);
  }

  private write(frame: string): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(frame);
  }

  private closeSoon(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    this.finish();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    this.closed = true;
    if (this.finished) return;
    this.finished = true;
    this.host.clock.clearTimer(this.firstCommandTimer);
    this.host.clock.clearTimer(this.lingerTimer);
    this.onClose(this);
  }
}
