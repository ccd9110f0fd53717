import { FifeError } from '@fife/api';
import { type ApiContext, FS_VERSION, runApi, uptimeText } from './api-commands.js';
import { CallEngine } from './call/engine.js';
import type { DialplanAction } from './call/dialplan.js';
import type { Channel } from './call/channel.js';
import { normaliseCause } from './call/hangup-causes.js';
import type { RingLog } from './call/ring-log.js';
import { type Clock, RealClock, type TimerHandle, VirtualClock } from './clock.js';
import { type EndpointInput, EndpointSchema, type NodeConfig, type NodeConfigInput, NodeConfigSchema } from './config.js';
import type { ClientCommand } from './esl/command-parser.js';
import type { LogLine } from './esl/frames.js';
import type { EslHost } from './esl/host.js';
import { EslServer } from './esl/server.js';
import type { FsEvent } from './event.js';
import { EventFactory, makeIdentity, type NodeIdentity, SITES } from './event-factory.js';
import { SimPhone } from './sip/phone.js';
import { Registrar } from './sip/registrar.js';
import { resolveEndpoint } from './sip/resolve.js';
import type { SipHost } from './sip/sip-host.js';
import { XmlCurlClient } from './xml-curl.js';

export interface SimNodeOptions extends NodeConfigInput {
  /** A shared clock (cluster), `'virtual'` (default: a new VirtualClock) or `'real'`. */
  clock?: Clock | 'virtual' | 'real';
  /** FreeSWITCH's static dialplan, used when xml_curl has no answer or says not found. Default: park. */
  staticDialplan?: (destination: string, context: string) => DialplanAction[];
}

const FIRST_PHONE_PORT = 15060;

/**
 * One simulated FreeSWITCH: an inbound ESL listener, sofia's registrar and phones, the call engine, mod_xml_curl
 * and the heartbeat, all on one clock.
 */
export class SimNode implements EslHost, SipHost {
  readonly config: NodeConfig;
  readonly clock: Clock;
  readonly identity: NodeIdentity;
  readonly events: EventFactory;
  readonly xmlCurl: XmlCurlClient;
  readonly engine: CallEngine;
  readonly registrar: Registrar;
  readonly phones = new Map<string, SimPhone>();
  readonly startedAtMs: number;
  private readonly esl: EslServer;
  private readonly listeners = new Set<(event: FsEvent) => void>();
  private heartbeatTimer: TimerHandle | undefined;
  private eslPort = 0;
  private stopped = false;

  constructor(options: SimNodeOptions = {}) {
    const { clock, staticDialplan, ...rest } = options;
    this.config = NodeConfigSchema.parse(rest);
    this.clock = clock === 'real' ? new RealClock() : clock === undefined || clock === 'virtual' ? new VirtualClock() : clock;
    this.identity = makeIdentity({
      hostname: this.config.hostname,
      ...(this.config.switchname ? { switchname: this.config.switchname } : {}),
      ...(this.config.coreUuid ? { coreUuid: this.config.coreUuid } : {}),
      ipv4: this.config.ipv4,
      ipv6: this.config.ipv6,
    });
    this.events = new EventFactory(this.identity, this.clock);
    this.xmlCurl = new XmlCurlClient(this.config.xmlCurl, this.clock, () => this.identity.switchname);
    this.registrar = new Registrar(this);
    this.startedAtMs = this.clock.now();
    this.engine = new CallEngine({
      clock: this.clock,
      events: this.events,
      fire: (e) => this.fire(e),
      log: (l) => this.log(l),
      xmlCurl: this.xmlCurl,
      granularity: this.config.granularity,
      playbackMs: this.config.playbackMs,
      staticDialplan: staticDialplan ?? (() => [{ application: 'park', data: '' }]),
      resolveEndpoint: (target, vars, caller) => resolveEndpoint(this, target, vars, caller),
      channelGone: () => undefined,
    });
    this.esl = new EslServer(this);
    for (const endpoint of this.config.endpoints) this.addPhone(endpoint);
  }

  get password(): string {
    return this.config.eslPassword;
  }

  get profileName(): string {
    return this.config.sipProfile;
  }

  get sipPort(): number {
    return this.config.sipPort;
  }

  get authCalls(): boolean {
    return this.config.authCalls;
  }

  get expireMarginS(): number {
    return this.config.expireMarginS;
  }

  /** The ESL port clients connect to (after start()). */
  get port(): number {
    return this.eslPort;
  }

  get eslConnections(): number {
    return this.esl.connectionCount;
  }

  async start(): Promise<this> {
    this.eslPort = await this.esl.listen(this.config.eslPort, this.config.eslHost);
    this.scheduleHeartbeat();
    for (const phone of this.phones.values()) phone.startScript();
    const initial = [...this.phones.values()].filter((p) => p.config.register);
    await Promise.all(initial.map((p) => this.clock.track(p.register())));
    return this;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.clearTimer(this.heartbeatTimer);
    for (const phone of this.phones.values()) phone.stop();
    this.registrar.clearTimers();
    await this.esl.close();
    if (this.clock instanceof RealClock) this.clock.clearAll();
  }

  addPhone(input: EndpointInput): SimPhone {
    const config = EndpointSchema.parse(input);
    const phone = new SimPhone(this, config, FIRST_PHONE_PORT + this.phones.size);
    // Keyed by contact: several phones may share one user (multiple registrations of an AOR).
    this.phones.set(`${phone.aor.toLowerCase()}:${phone.port}`, phone);
    return phone;
  }

  /** Every phone of `user` (in `domain` if given), in the order they were added. */
  phonesOf(user: string, domain?: string): SimPhone[] {
    return [...this.phones.values()].filter(
      (p) => p.config.user === user && (domain === undefined || p.config.domain.toLowerCase() === domain.toLowerCase()),
    );
  }

  /** The (first) phone `user` (in `domain`, or whatever domain has that user). */
  phone(user: string, domain?: string): SimPhone {
    const found = this.phonesOf(user, domain)[0];
    if (!found) throw new FifeError('testkit.unknown_phone', `no simulated phone ${user}${domain ? `@${domain}` : ''}`, { user, domain });
    return found;
  }

  /** Subscribes to every event the node fires (whatever ESL clients asked for). Returns an unsubscribe function. */
  onEvent(listener: (event: FsEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  fire(event: FsEvent): void {
    for (const l of this.listeners) l(event);
    this.esl.broadcast(event);
    // A connection bound by myevents learns of the hangup right after CHANNEL_HANGUP (linger notice or close).
    if (event.name === 'CHANNEL_HANGUP') this.esl.sessionGone(event.get('Unique-ID') ?? '');
  }

  log(line: LogLine): void {
    this.esl.broadcastLog(line);
  }

  channel(uuid: string): Channel | undefined {
    return this.engine.channels.get(uuid);
  }

  channelName(uuid: string): string | undefined {
    return this.engine.channels.get(uuid)?.name;
  }

  ringLog(callId: string): RingLog | undefined {
    return this.engine.ringLogs.get(callId);
  }

  /** Runs an API command as `api` over ESL would, firing the API event. */
  async api(command: string, args: string): Promise<string> {
    const event = this.events.create('API', SITES.api);
    event.add('API-Command', command);
    if (args) event.add('API-Command-Argument', args);
    this.fire(event);
    return runApi(this.apiContext(), command, args);
  }

  sendmsg(uuid: string, command: ClientCommand): string {
    const channel = this.engine.channels.get(uuid);
    if (!channel) return `-ERR invalid session id [${uuid}]`;
    const h = command.headers;
    const verb = (h.get('call-command') ?? '').toLowerCase();
    if (verb === 'hangup') {
      channel.hangup(normaliseCause(h.get('hangup-cause')));
      return '+OK';
    }
    if (verb === 'execute') {
      const app = h.get('execute-app-name');
      if (!app) return '-ERR invalid command';
      const arg = h.get('execute-app-arg') ?? command.body ?? '';
      const loops = Number.parseInt(h.get('loops') ?? '1', 10);
      this.engine.sessionFor(channel).enqueue({
        app,
        arg,
        appUuid: h.get('event-uuid'),
        loops: Number.isFinite(loops) ? loops : 1,
        eventLock: /^true$/i.test(h.get('event-lock') ?? ''),
      });
      return '+OK';
    }
    return '+OK';
  }

  private apiContext(): ApiContext {
    return {
      engine: this.engine,
      registrar: this.registrar,
      hostname: this.identity.hostname,
      profileName: this.profileName,
      sipPort: this.sipPort,
      startedAtMs: this.startedAtMs,
      now: () => this.clock.now(),
      log: (l) => this.log(l),
    };
  }

  /** HEARTBEAT (and the RE_SCHEDULE of its task) every heartbeatS seconds of the node's clock. */
  private scheduleHeartbeat(): void {
    const everyMs = this.config.heartbeatS * 1000;
    this.heartbeatTimer = this.clock.setTimer(everyMs, () => {
      if (this.stopped) return;
      this.fireHeartbeat();
      const again = this.events.create('RE_SCHEDULE', SITES.reSchedule);
      again
        .add('Task-ID', '1')
        .add('Task-Desc', 'heartbeat')
        .add('Task-Group', 'core')
        .add('Task-Runtime', String(Math.floor((this.clock.now() + everyMs) / 1000)));
      this.fire(again);
      this.scheduleHeartbeat();
    });
  }

  private fireHeartbeat(): void {
    const up = this.clock.now() - this.startedAtMs;
    const e = this.events.create('HEARTBEAT', SITES.heartbeat);
    const peak = String(this.engine.peakSessions);
    e.add('Event-Info', 'System Ready')
      .add('Up-Time', uptimeText(up))
      .add('FreeSWITCH-Version', FS_VERSION)
      .add('Uptime-msec', String(up))
      .add('Session-Count', String(this.engine.channels.size))
      .add('Max-Sessions', '100')
      .add('Session-Per-Sec', '30')
      .add('Session-Per-Sec-Last', '0')
      .add('Session-Per-Sec-Max', peak)
      .add('Session-Per-Sec-FiveMin', peak)
      .add('Session-Since-Startup', String(this.engine.sessionsSinceStartup))
      .add('Session-Peak-Max', peak)
      .add('Session-Peak-FiveMin', peak)
      .add('Idle-CPU', '95.000000');
    this.fire(e);
  }
}

/** Creates and starts a node (ESL listening, phones registered). */
export async function startSimNode(options: SimNodeOptions = {}): Promise<SimNode> {
  return new SimNode(options).start();
}
