import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { FsEvent, HeaderValue } from '../event.js';
import { type CallSite, type EventFactory, formatLocalDate, microseconds, SITES } from '../event-factory.js';
import { addProfileHeaders, type CallerProfile, zeroTimes } from './caller-profile.js';
import { q850Of, sipStatusOf } from './hangup-causes.js';

export type RunningState =
  | 'CS_NEW' | 'CS_INIT' | 'CS_ROUTING' | 'CS_SOFT_EXECUTE' | 'CS_EXECUTE' | 'CS_EXCHANGE_MEDIA' | 'CS_PARK'
  | 'CS_CONSUME_MEDIA' | 'CS_HIBERNATE' | 'CS_RESET' | 'CS_HANGUP' | 'CS_REPORTING' | 'CS_DESTROY';
const CALL_STATE_NUMBERS: Record<CallState, number> = { DOWN: 0, RINGING: 2, EARLY: 3, ACTIVE: 4, HANGUP: 7 };
const STATE_NUMBERS: Record<RunningState, number> = {
  CS_NEW: 0, CS_INIT: 1, CS_ROUTING: 2, CS_SOFT_EXECUTE: 3, CS_EXECUTE: 4, CS_EXCHANGE_MEDIA: 5, CS_PARK: 6,
  CS_CONSUME_MEDIA: 7, CS_HIBERNATE: 8, CS_RESET: 9, CS_HANGUP: 10, CS_REPORTING: 11, CS_DESTROY: 12,
};
export type CallState = 'DOWN' | 'RINGING' | 'EARLY' | 'ACTIVE' | 'HANGUP';
export type AnswerState = 'ringing' | 'early' | 'answered' | 'hangup';

export interface Codec {
  name: string;
  rate: number;
  bitRate: number;
}
export const PCMU: Codec = { name: 'PCMU', rate: 8000, bitRate: 64000 };
export const L16: Codec = { name: 'L16', rate: 8000, bitRate: 128000 };

/** Services a channel needs from its node. */
export interface ChannelHost {
  readonly clock: Clock;
  readonly events: EventFactory;
  fire(event: FsEvent): void;
  channelGone(channel: Channel): void;
}

export interface ChannelInit {
  uuid?: string;
  name: string;
  direction: 'inbound' | 'outbound';
  profile: Partial<CallerProfile>;
  vars?: ReadonlyArray<readonly [string, string]>;
  codec?: Codec;
  hitDialplan: boolean;
  presenceId?: string;
  /** The uuid of the call this channel belongs to, for ring logs (the first A leg of the call). */
  rootCall?: string;
}

interface FireOptions {
  pre?: ReadonlyArray<readonly [string, HeaderValue]>;
  post?: ReadonlyArray<readonly [string, HeaderValue]>;
  /** Channel variables (variable_*); CHANNEL_STATE-like events leave them out. */
  variables?: boolean;
  profile?: boolean;
}

/**
 * A simulated switch_channel_t: state, caller profile, ordered variables, the other leg, and the channel
 * events with the header layout FreeSWITCH 1.10 uses (base, event-specific "pre" headers, channel data,
 * caller profile, other leg, variables, event-specific "post" headers).
 */
export class Channel {
  readonly uuid: string;
  readonly direction: 'inbound' | 'outbound';
  readonly rootCall: string;
  name: string;
  runningState: RunningState = 'CS_NEW';
  stateNumber: RunningState = 'CS_NEW';
  callState: CallState = 'DOWN';
  answerState: AnswerState = 'ringing';
  hitDialplan: boolean;
  presenceId: string | undefined;
  callUuid: string;
  codec: Codec | undefined;
  profile: CallerProfile;
  readonly vars = new Map<string, HeaderValue>();
  /** The other leg; `profile` is set when FreeSWITCH shows a copy taken earlier (the originator's, at originate). */
  other: { type: 'originator' | 'originatee'; channel: Channel; profile?: CallerProfile } | undefined;
  hangupCause: string | undefined;
  ringing = false;
  mediaEarly = false;
  destroyed = false;
  /** Things (a dialplan run, a bridge, a queued app) that must unwind before HANGUP_COMPLETE and DESTROY. */
  private holds = 0;
  /** Resolves with the hangup cause once the channel is hung up. */
  readonly down: Promise<string>;
  private resolveDown!: (cause: string) => void;
  private hangupHooks: Array<(cause: string) => void> = [];
  private ringHooks: Array<(early: boolean) => void> = [];
  private answerHooks: Array<() => void> = [];
  private beforeAnswerHooks: Array<() => void> = [];

  constructor(
    private readonly host: ChannelHost,
    init: ChannelInit,
  ) {
    this.uuid = init.uuid ?? randomUUID();
    this.direction = init.direction;
    this.name = init.name;
    this.hitDialplan = init.hitDialplan;
    this.presenceId = init.presenceId;
    this.callUuid = this.uuid;
    this.codec = init.codec;
    this.rootCall = init.rootCall ?? this.uuid;
    const now = host.clock.now();
    this.profile = {
      direction: init.direction, logicalDirection: init.direction, username: '', dialplan: 'XML', callerIdName: '',
      callerIdNumber: '', origCallerIdName: '', origCallerIdNumber: '', calleeIdName: '', calleeIdNumber: '',
      networkAddr: '', ani: '', destinationNumber: '', uniqueId: this.uuid, source: 'mod_sofia', context: 'default',
      channelName: init.name, profileIndex: 1, times: { ...zeroTimes(), profileCreated: now, created: now },
      ...init.profile,
    };
    this.profile.uniqueId = this.uuid;
    this.down = new Promise((resolve) => (this.resolveDown = resolve));
    this.setVar('direction', init.direction);
    if (init.direction === 'outbound') this.setVar('is_outbound', 'true');
    this.setVar('uuid', this.uuid);
    this.setVar('call_uuid', this.uuid);
    this.setVar('channel_name', init.name);
    for (const [k, v] of init.vars ?? []) this.setVar(k, v);
  }

  get clock(): Clock {
    return this.host.clock;
  }

  get isUp(): boolean {
    return this.hangupCause === undefined;
  }

  get answered(): boolean {
    return this.profile.times.answered > 0;
  }

  getVar(name: string): string | undefined {
    const v = this.vars.get(name);
    return Array.isArray(v) ? v.join(',') : v;
  }

  setVar(name: string, value: HeaderValue | undefined): void {
    if (value === undefined || value === '') {
      this.vars.delete(name);
      return;
    }
    this.vars.set(name, value);
  }

  /** Builds and fires one channel event. */
  fire(name: string, site: CallSite, options: FireOptions = {}): FsEvent {
    const event = this.host.events.create(name, site);
    for (const [k, v] of options.pre ?? []) event.add(k, v);
    this.addChannelData(event, options);
    for (const [k, v] of options.post ?? []) event.add(k, v);
    this.host.fire(event);
    return event;
  }

  /** Channel data as switch_channel_event_set_data writes it. */
  addChannelData(event: FsEvent, options: FireOptions = {}): void {
    event
      .add('Channel-State', this.runningState)
      .add('Channel-Call-State', this.callState)
      .add('Channel-State-Number', String(STATE_NUMBERS[this.stateNumber]))
      .add('Channel-Name', this.name)
      .add('Unique-ID', this.uuid)
      .add('Call-Direction', this.direction)
      .add('Presence-Call-Direction', this.direction)
      .add('Channel-HIT-Dialplan', String(this.hitDialplan));
    if (this.presenceId) event.add('Channel-Presence-ID', this.presenceId);
    event.add('Channel-Call-UUID', this.callUuid).add('Answer-State', this.answerState);
    if (this.hangupCause) event.addIfAbsent('Hangup-Cause', this.hangupCause);
    if (this.codec) {
      event
        .add('Channel-Read-Codec-Name', this.codec.name)
        .add('Channel-Read-Codec-Rate', String(this.codec.rate))
        .add('Channel-Read-Codec-Bit-Rate', String(this.codec.bitRate))
        .add('Channel-Write-Codec-Name', this.codec.name)
        .add('Channel-Write-Codec-Rate', String(this.codec.rate))
        .add('Channel-Write-Codec-Bit-Rate', String(this.codec.bitRate));
    }
    if (options.profile === false || !this.hasProfile) return;
    addProfileHeaders(event, 'Caller', this.profile, true);
    if (this.other) {
      event.add('Other-Type', this.other.type);
      addProfileHeaders(event, 'Other-Leg', this.other.profile ?? this.other.channel.profile, false);
    }
    if (options.variables === false) return;
    for (const [k, v] of this.vars) event.add(`variable_${k}`, v);
  }

  /** Moves the state machine; a change of running state fires CHANNEL_STATE (no variables). */
  setState(state: RunningState, number: RunningState = state): void {
    const changed = state !== this.runningState;
    this.runningState = state;
    this.stateNumber = number;
    if (changed) this.fire('CHANNEL_STATE', SITES.channelState, { variables: false });
  }

  /** CHANNEL_STATE CS_NEW: what sofia fires for an INVITE before anything else (no caller profile yet). */
  announceNew(): void {
    this.fire('CHANNEL_STATE', SITES.channelState, { variables: false, profile: false });
    this.hasProfile = false;
  }

  /** switch_channel_perform_set_callstate: CHANNEL_CALLSTATE with the previous call state. */
  setCallState(next: CallState): void {
    const previous = this.callState;
    if (previous === next) return;
    this.callState = next;
    this.fire('CHANNEL_CALLSTATE', SITES.channelCallstate, {
      variables: false,
      pre: [['Original-Channel-Call-State', previous], ['Channel-Call-State-Number', String(CALL_STATE_NUMBERS[next])]],
    });
  }

  /** A channel refused before routing (INVITE digest failure) never gets a caller profile in its events. */
  private hasProfile = true;

  /** Gives the channel its profile back once it is created (after announceNew). */
  profileReady(): void {
    this.hasProfile = true;
  }

  /** 180 Ringing (or the A leg's ring_ready). */
  ringReady(): void {
    if (this.ringing || !this.isUp) return;
    this.ringing = true;
    this.profile.times.progress = this.clock.now();
    this.fire('CHANNEL_PROGRESS', SITES.channelProgress);
    if (this.callState === 'DOWN') this.setCallState('RINGING');
    for (const hook of [...this.ringHooks]) hook(false);
  }

  preAnswer(): void {
    if (this.mediaEarly || this.answered || !this.isUp) return;
    this.mediaEarly = true;
    this.profile.times.progressMedia = this.clock.now();
    this.answerState = 'early';
    this.codec ??= PCMU;
    this.fire('CHANNEL_PROGRESS_MEDIA', SITES.channelProgressMedia);
    this.setCallState('EARLY');
    for (const hook of [...this.ringHooks]) hook(true);
  }

  answer(): void {
    if (this.answered || !this.isUp) return;
    for (const hook of this.beforeAnswerHooks.splice(0)) hook();
    this.profile.times.answered = this.clock.now();
    this.answerState = 'answered';
    this.codec ??= PCMU;
    this.fire('CHANNEL_ANSWER', SITES.channelAnswer);
    this.setCallState('ACTIVE');
    for (const hook of this.answerHooks.splice(0)) hook();
  }

  /** Ring (false) or early media (true) from this channel. */
  onProgress(hook: (early: boolean) => void): void {
    this.ringHooks.push(hook);
  }

  /** Runs just before this channel's CHANNEL_ANSWER (mod_loopback answers the a-leg first). */
  beforeAnswer(hook: () => void): void {
    this.beforeAnswerHooks.push(hook);
  }

  onAnswer(hook: () => void): void {
    if (this.answered) hook();
    else this.answerHooks.push(hook);
  }

  /** DTMF received from the endpoint (SIP INFO / RFC 2833): one DTMF event per digit, without variables. */
  dtmf(digits: string, durationSamples = 1280): void {
    for (const digit of digits) {
      if (!this.isUp) return;
      this.fire('DTMF', SITES.dtmf, {
        variables: false,
        post: [['DTMF-Digit', digit], ['DTMF-Duration', String(durationSamples)], ['DTMF-Source', 'ENDPOINT']],
      });
    }
  }

  onHangup(hook: (cause: string) => void): void {
    if (!this.isUp) hook(this.hangupCause!);
    else this.hangupHooks.push(hook);
  }

  /** switch_channel_hangup: CHANNEL_HANGUP now; HANGUP_COMPLETE and DESTROY once the owner lets go. */
  hangup(cause: string): void {
    if (!this.isUp) return;
    const now = this.clock.now();
    this.hangupCause = cause;
    this.answerState = 'hangup';
    this.stateNumber = 'CS_HANGUP';
    this.profile.times.hangup = now;
    this.setVar('hangup_cause', cause);
    this.setVar('hangup_cause_q850', String(q850Of(cause)));
    this.setVar('sip_term_status', String(sipStatusOf(cause)));
    this.fire('CHANNEL_HANGUP', SITES.channelHangup);
    this.resolveDown(cause);
    this.ringHooks = [];
    this.answerHooks = [];
    for (const hook of this.hangupHooks.splice(0)) hook(cause);
    if (this.holds === 0) queueMicrotask(() => this.finish());
  }

  hold(): void {
    this.holds++;
  }

  release(): void {
    this.holds = Math.max(0, this.holds - 1);
    if (this.holds === 0 && !this.isUp) this.finish();
  }

  /** Called by the owner when it has unwound (or right after hangup when nobody owns the channel). */
  finish(): void {
    if (this.destroyed || this.isUp || this.holds > 0) return;
    this.destroyed = true;
    this.setState('CS_HANGUP');
    this.setCallState('HANGUP');
    this.setCdrVariables();
    this.setState('CS_REPORTING', 'CS_REPORTING');
    this.fire('CHANNEL_HANGUP_COMPLETE', SITES.channelHangupComplete, { pre: [['Hangup-Cause', this.hangupCause!]] });
    this.stateNumber = 'CS_DESTROY';
    this.fire('CHANNEL_DESTROY', SITES.channelDestroy);
    this.setState('CS_DESTROY');
    this.host.channelGone(this);
  }

  private setCdrVariables(): void {
    const t = this.profile.times;
    const end = t.hangup || this.clock.now();
    const stamp = (ms: number): string | undefined => (ms ? formatLocalDate(ms) : undefined);
    const epoch = (ms: number): string => String(Math.floor(ms / 1000));
    this.setVar('start_stamp', stamp(t.created));
    this.setVar('profile_start_stamp', stamp(t.profileCreated));
    this.setVar('answer_stamp', stamp(t.answered));
    this.setVar('bridge_stamp', stamp(t.bridged));
    this.setVar('progress_stamp', stamp(t.progress));
    this.setVar('end_stamp', stamp(end));
    this.setVar('start_epoch', epoch(t.created));
    this.setVar('start_uepoch', microseconds(t.created));
    this.setVar('answer_epoch', epoch(t.answered));
    this.setVar('answer_uepoch', microseconds(t.answered));
    this.setVar('bridge_epoch', epoch(t.bridged));
    this.setVar('progress_epoch', epoch(t.progress));
    this.setVar('end_epoch', epoch(end));
    this.setVar('end_uepoch', microseconds(end));
    const seconds = (from: number, to: number): string => (from ? String(Math.max(0, Math.floor((to - from) / 1000))) : '0');
    this.setVar('duration', seconds(t.created, end));
    this.setVar('billsec', seconds(t.answered, end));
    this.setVar('progresssec', seconds(t.created, t.progress || t.created));
    this.setVar('answersec', t.answered ? seconds(t.created, t.answered) : '0');
    this.setVar('waitsec', t.answered ? seconds(t.created, t.answered) : '0');
    this.setVar('mduration', String(Math.max(0, end - t.created)));
    this.setVar('billmsec', t.answered ? String(Math.max(0, end - t.answered)) : '0');
  }
}

/** switch_channel_pass_callee_id: the caller learns who it reached. */
export function passCalleeId(from: Channel, to: Channel): void {
  to.profile.calleeIdName = from.profile.calleeIdName || 'Outbound Call';
  to.profile.calleeIdNumber = from.profile.calleeIdNumber || from.profile.destinationNumber;
}
