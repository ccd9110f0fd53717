import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { FsEvent } from '../event.js';
import { type EventFactory, SITES } from '../event-factory.js';
import type { LogLine } from '../esl/frames.js';
import type { XmlCurlClient } from '../xml-curl.js';
import { addProfileHeaders } from './caller-profile.js';
import { Channel, type ChannelInit } from './channel.js';
import { loopbackTarget } from './loopback.js';
import { takeVarBlocks, type VarMap } from './dial-string.js';
import { type DialplanAction, type DialplanSelection, selectActions } from './dialplan.js';
import { conditionField } from './expand.js';
import { normaliseCause } from './hangup-causes.js';
import { originate, type OriginateHost, type Resolution, type TimerGranularity } from './originate.js';
import { type RingLog, RingLogBook, secondsSince } from './ring-log.js';
import { Session } from './session.js';

export interface EngineDeps {
  clock: Clock;
  events: EventFactory;
  fire(event: FsEvent): void;
  log(line: LogLine): void;
  xmlCurl: XmlCurlClient;
  granularity: TimerGranularity;
  playbackMs: number;
  /** Dialplan used when xml_curl has no answer or says "not found" (FreeSWITCH's static XML). */
  staticDialplan(destination: string, context: string): DialplanAction[];
  /** Turns one dial-string endpoint (user/..., sofia/..., error/..., ...) into something that can ring. */
  resolveEndpoint(target: string, vars: VarMap, caller: Channel | undefined): Promise<Resolution>;
  channelGone(channel: Channel): void;
}

/** Channels, sessions, dialplan routing and originate for one simulated node. */
export class CallEngine implements OriginateHost {
  readonly channels = new Map<string, Channel>();
  readonly ringLogs = new RingLogBook();
  private readonly sessions = new Map<string, Session>();
  sessionsSinceStartup = 0;
  peakSessions = 0;

  constructor(private readonly deps: EngineDeps) {}

  get clock(): Clock {
    return this.deps.clock;
  }

  get events(): EventFactory {
    return this.deps.events;
  }

  get granularity(): TimerGranularity {
    return this.deps.granularity;
  }

  get playbackMs(): number {
    return this.deps.playbackMs;
  }

  log(line: LogLine): void {
    this.deps.log(line);
  }

  fire(event: FsEvent): void {
    this.deps.fire(event);
  }

  resolve(target: string, vars: VarMap, caller: Channel | undefined): Promise<Resolution> {
    if (target.startsWith('loopback/')) return Promise.resolve(loopbackTarget(this, target));
    return this.deps.resolveEndpoint(target, vars, caller);
  }

  ringLog(callId: string): RingLog | undefined {
    return this.ringLogs.get(callId);
  }

  /** Creates and registers a channel (no events yet). */
  newChannel(init: ChannelInit): Channel {
    const channel = new Channel(
      {
        clock: this.deps.clock,
        events: this.deps.events,
        fire: (e) => this.deps.fire(e),
        channelGone: (c) => this.gone(c),
      },
      init,
    );
    channel.setVar('session_id', String(++this.sessionsSinceStartup));
    this.channels.set(channel.uuid, channel);
    this.peakSessions = Math.max(this.peakSessions, this.channels.size);
    return channel;
  }

  sessionFor(channel: Channel): Session {
    let session = this.sessions.get(channel.uuid);
    if (!session) {
      session = new Session(this, channel);
      this.sessions.set(channel.uuid, session);
    }
    return session;
  }

  /** An inbound call (from a phone or a loopback's b-leg): CHANNEL_CREATE, then the dialplan. */
  startInbound(channel: Channel): void {
    this.ringLogs.open(channel.rootCall, channel.profile.times.created);
    channel.setState('CS_INIT', 'CS_ROUTING');
    channel.fire('CHANNEL_CREATE', SITES.channelCreate);
    // Not tracked by the clock: a dialplan run lasts as long as the call, tracking it would stall a virtual clock.
    void this.sessionFor(channel).runDialplan();
  }

  /** REQUEST_PARAMS for the dialplan section, exactly what dialplan_xml_locate sends. */
  dialplanParams(channel: Channel): FsEvent {
    const event = this.deps.events.create('REQUEST_PARAMS', SITES.dialplanLocate);
    channel.addChannelData(event);
    addProfileHeaders(event, 'Hunt', channel.profile, true);
    return event;
  }

  async fetchDialplan(channel: Channel): Promise<DialplanSelection> {
    const context = channel.profile.context;
    const lookup = (field: string): string | undefined => conditionField(channel, field);
    const section = await this.deps.xmlCurl.fetch(
      { section: 'dialplan', tagName: '', keyName: '', keyValue: '' },
      this.dialplanParams(channel),
    );
    if (section && section !== 'not-found') return selectActions(section, context, lookup);
    const actions = this.deps.staticDialplan(channel.profile.destinationNumber, context);
    if (actions.length === 0) return { kind: 'no-match' };
    return { kind: 'actions', actions, extension: 'static' };
  }

  /** `originate <dial string> <&app(arg) | extension [dialplan] [context]> [cid name] [cid number] [timeout]` */
  async originateCommand(args: string): Promise<string> {
    const parsed = parseOriginateArgs(args);
    if (!parsed) return '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n';
    const rootCall = randomUUID();
    this.ringLogs.open(rootCall, this.clock.now());
    const baseVars: VarMap = {};
    if (parsed.cidName) baseVars['origination_caller_id_name'] = parsed.cidName;
    if (parsed.cidNumber) baseVars['origination_caller_id_number'] = parsed.cidNumber;
    if (parsed.timeout) baseVars['originate_timeout'] = String(parsed.timeout);
    const result = await originate(this, { dial: parsed.dial, caller: undefined, rootCall, baseVars });
    const log = this.ringLogs.get(rootCall);
    if (!result.ok) {
      if (log) {
        log.cause = result.cause;
        log.endS = secondsSince(log, this.clock.now());
      }
      return `-ERR ${result.cause}\n`;
    }
    const leg = result.leg;
    const session = this.sessionFor(leg);
    if (parsed.app) {
      void session.runApplication(parsed.app.name, parsed.app.arg);
    } else {
      leg.profile.destinationNumber = parsed.extension;
      leg.profile.context = parsed.context;
      leg.profile.dialplan = parsed.dialplan;
      void session.runDialplan();
    }
    return `+OK ${leg.uuid}\n`;
  }

  /** uuid_kill and friends. */
  kill(uuid: string, cause: string | undefined): boolean {
    const channel = this.channels.get(uuid);
    if (!channel) return false;
    channel.hangup(normaliseCause(cause, 'NORMAL_CLEARING'));
    return true;
  }

  private gone(channel: Channel): void {
    this.channels.delete(channel.uuid);
    this.sessions.delete(channel.uuid);
    if (channel.uuid === channel.rootCall) {
      const log = this.ringLogs.get(channel.rootCall);
      if (log) {
        log.cause = channel.hangupCause;
        log.endS = secondsSince(log, this.clock.now());
      }
    }
    this.deps.channelGone(channel);
  }

}

interface OriginateArgs {
  dial: string;
  app: { name: string; arg: string } | undefined;
  extension: string;
  dialplan: string;
  context: string;
  cidName: string | undefined;
  cidNumber: string | undefined;
  timeout: number | undefined;
}

/** Splits originate's arguments; the dial string may contain spaces inside {} or quotes. */
export function parseOriginateArgs(args: string): OriginateArgs | undefined {
  const text = args.trim();
  const { rest } = takeVarBlocks(text, '<{');
  const prefixLength = text.length - rest.length;
  const space = rest.search(/\s/);
  if (space < 0) return undefined;
  const dial = text.slice(0, prefixLength + space);
  const words = rest.slice(space).trim().split(/\s+/);
  const [second = '', ...more] = words;
  const appMatch = /^&([\w-]+)(?:\((.*)\))?$/.exec(second);
  // With &app() the dialplan and context positions are still there, just unused.
  const [dialplan = 'XML', context = 'default', cidName, cidNumber, timeout] = more;
  return {
    dial,
    app: appMatch ? { name: appMatch[1]!, arg: appMatch[2] ?? '' } : undefined,
    extension: appMatch ? '' : second,
    dialplan,
    context,
    cidName: cidName && cidName !== 'undef' ? cidName : undefined,
    cidNumber: cidNumber && cidNumber !== 'undef' ? cidNumber : undefined,
    timeout: timeout ? Number.parseInt(timeout, 10) || undefined : undefined,
  };
}
