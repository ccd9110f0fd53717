import { randomUUID } from 'node:crypto';
import { type Channel, PCMU } from '../call/channel.js';
import type { LegStartContext } from '../call/originate.js';
import type { RingLog } from '../call/ring-log.js';
import type { Behaviour, EndpointConfig } from '../config.js';
import { SITES } from '../event-factory.js';
import { buildAuthFetch } from './auth-request.js';
import { applyDirectoryUser, newInboundChannel } from './inbound-leg.js';
import { ringPhone } from './phone-leg.js';
import { findDirectoryUser, verifyDigest, type DirectoryUser } from './directory.js';
import type { Registration } from './registrar.js';
import type { SipHost } from './sip-host.js';

export type RegisterOutcome = 'registered' | 'forbidden' | 'not-found';

export interface PhoneCall {
  uuid: string;
  channel: Channel;
  /** Resolves with the A leg's hangup cause once it is gone. */
  done: Promise<string>;
  hangup(): void;
  /** Sends DTMF digits from the phone (DTMF events on its channel, DTMF-Source ENDPOINT). */
  dtmf(digits: string): void;
  ringLog(): RingLog | undefined;
}

/**
 * A simulated SIP phone: registers through the real mod_xml_curl directory exchange (FreeSWITCH checks the digest),
 * places calls (INVITE digest check, dialplan fetch) and answers INVITEs according to its behaviour script.
 */
export class SimPhone {
  behaviour: Behaviour;
  readonly port: number;
  private registration: Registration | undefined;
  private timers: Array<ReturnType<SipHost['clock']['setTimer']>> = [];
  readonly calls: PhoneCall[] = [];

  constructor(
    private readonly host: SipHost,
    readonly config: EndpointConfig,
    defaultPort: number,
  ) {
    this.behaviour = config.behaviour;
    this.port = config.port ?? defaultPort;
  }

  get aor(): string {
    return `${this.config.user}@${this.config.domain}`;
  }

  get contactUri(): string {
    return `sip:${this.config.user}@${this.config.ip}:${this.port}`;
  }

  get registered(): boolean {
    return this.registration !== undefined && this.host.registrar.contacts(this.config.user, this.config.domain).includes(this.registration);
  }

  /** Schedules the script's steps relative to now. */
  startScript(): void {
    for (const step of this.config.script) {
      this.timers.push(
        this.host.clock.setTimer(step.atS * 1000, () => {
          if (step.behaviour) this.behaviour = step.behaviour;
          if (step.action === 'register') void this.host.clock.track(this.register());
          if (step.action === 'unregister') this.unregister();
          if (step.call) void this.host.clock.track(this.call(step.call.to, { hangupAfterS: step.call.hangupAfterS }));
        }),
      );
    }
  }

  stop(): void {
    for (const t of this.timers) this.host.clock.clearTimer(t);
    this.timers = [];
  }

  /** REGISTER → 401 → REGISTER with digest: one directory fetch, FreeSWITCH-side digest check, sofia events. */
  async register(expiresS = this.config.expiresS, password = this.config.password): Promise<RegisterOutcome> {
    const callId = this.registration?.callId ?? `${randomUUID()}@${this.config.ip}`;
    this.fireRegEvent('sofia::pre_register', SITES.sofiaPreRegister, callId, expiresS);
    const user = await this.authenticate('REGISTER', callId, password);
    if (user === 'not-found' || user === 'forbidden') {
      this.fireRegEvent('sofia::register_attempt', SITES.sofiaRegisterAttempt, callId, expiresS, 'FORBIDDEN');
      this.fireFailure('REGISTER');
      return user;
    }
    this.fireRegEvent('sofia::register_attempt', SITES.sofiaRegisterAttempt, callId, expiresS, 'RENEWED');
    const reg: Registration = {
      user: this.config.user,
      realm: this.config.domain,
      contactUri: this.contactUri,
      callId,
      expiresS,
      registeredAtMs: this.host.clock.now(),
      networkIp: this.config.ip,
      networkPort: this.port,
      userAgent: this.config.userAgent,
      phone: this,
      directoryVars: user?.variables ?? [],
      expireTimer: undefined,
    };
    this.registration = reg;
    this.host.registrar.add(reg);
    return 'registered';
  }

  /** REGISTER with Expires: 0. */
  unregister(): void {
    const reg = this.registration;
    this.registration = undefined;
    if (reg && this.host.registrar.contacts(reg.user, reg.realm).includes(reg)) this.host.registrar.remove(reg);
  }

  /** Places a call to `to` (INVITE to the node). */
  async call(to: string, options: { hangupAfterS?: number; password?: string } = {}): Promise<PhoneCall> {
    const callId = `${randomUUID()}@${this.config.ip}`;
    const channel = newInboundChannel(this.host, this, to, callId);
    const call = this.trackCall(channel);
    channel.announceNew();
    if (this.host.authCalls) {
      this.fireRegEvent('sofia::pre_register', SITES.sofiaPreRegister, callId, 0);
      const user = await this.authenticate('INVITE', callId, options.password ?? this.config.password, to);
      if (user === 'not-found' || user === 'forbidden') {
        this.fireRegEvent('sofia::register_attempt', SITES.sofiaRegisterAttempt, callId, 0, 'FORBIDDEN');
        this.fireFailure('INVITE');
        channel.hangup('CALL_REJECTED');
        return call;
      }
      this.fireRegEvent('sofia::register_attempt', SITES.sofiaRegisterAttempt, callId, 0, 'RENEWED');
      if (user) applyDirectoryUser(channel, this, user);
    }
    // Codecs are negotiated (CODEC events in FreeSWITCH) once the INVITE is accepted.
    channel.codec = PCMU;
    channel.profileReady();
    if (options.hangupAfterS !== undefined) {
      const timer = this.host.clock.setTimer(options.hangupAfterS * 1000, () => call.hangup());
      channel.onHangup(() => this.host.clock.clearTimer(timer));
    }
    this.host.engine.startInbound(channel);
    return call;
  }

  /** The far end of an outbound leg: creates the B channel and plays the current behaviour. */
  ring(context: LegStartContext): Channel {
    return ringPhone(this.host, this, context);
  }


  /** Resolves to the directory user whose digest FreeSWITCH accepted, or why it refused. */
  private async authenticate(
    method: 'REGISTER' | 'INVITE',
    callId: string,
    password: string,
    toUser?: string,
  ): Promise<DirectoryUser | 'not-found' | 'forbidden'> {
    const { key, params, creds } = buildAuthFetch(this.host, {
      method, user: this.config.user, domain: this.config.domain, password, ip: this.config.ip, port: this.port,
      userAgent: this.config.userAgent, callId, ...(toUser !== undefined ? { toUser } : {}),
    });
    const section = await this.host.xmlCurl.fetch(key, params);
    if (!section || section === 'not-found') return 'not-found';
    const user = findDirectoryUser(section, this.config.domain, this.config.user);
    if (!user) return 'not-found';
    return verifyDigest(user, creds) === 'forbidden' ? 'forbidden' : user;
  }

  private trackCall(channel: Channel): PhoneCall {
    const call: PhoneCall = {
      uuid: channel.uuid,
      channel,
      done: channel.down,
      hangup: () => channel.hangup(channel.answered ? 'NORMAL_CLEARING' : 'ORIGINATOR_CANCEL'),
      dtmf: (digits) => channel.dtmf(digits),
      ringLog: () => this.host.engine.ringLogs.get(channel.uuid),
    };
    this.calls.push(call);
    return call;
  }

  private fireRegEvent(subclass: string, site: typeof SITES.sofiaRegister, callId: string, expiresS: number, authResult?: string): void {
    const e = this.host.events.create('CUSTOM', site, subclass);
    e.add('profile-name', this.host.profileName)
      .add('from-user', this.config.user)
      .add('from-host', this.config.domain)
      .add('contact', `"" <${this.contactUri}>`)
      .add('call-id', callId)
      .add('rpid', 'unknown')
      .add('status', 'Registered(UDP)')
      .add('expires', String(expiresS))
      .add('to-user', this.config.user)
      .add('to-host', this.config.domain)
      .add('network-ip', this.config.ip)
      .add('network-port', String(this.port));
    if (authResult) e.add('username', this.config.user).add('realm', this.config.domain);
    e.add('user-agent', this.config.userAgent);
    if (authResult) e.add('auth-result', authResult);
    this.host.fire(e);
  }

  private fireFailure(type: 'REGISTER' | 'INVITE'): void {
    const e = this.host.events.create('CUSTOM', SITES.sofiaRegisterFailure, 'sofia::register_failure');
    e.add('profile-name', this.host.profileName)
      .add('to-user', this.config.user)
      .add('to-host', this.config.domain)
      .add('network-ip', this.config.ip)
      .add('user-agent', this.config.userAgent)
      .add('network-port', String(this.port))
      .add('registration-type', type);
    this.host.fire(e);
  }
}

