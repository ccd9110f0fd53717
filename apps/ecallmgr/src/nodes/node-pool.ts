import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { EslClient, header, type EslEvent } from '@fife/esl';
import type { FifeError } from '@fife/api';
import type { FsNodeConfig } from '../config.js';
import { PUBLISHED_EVENTS } from '../domain/call-event.js';
import { REGISTRATION_SUBCLASSES } from '../domain/registration.js';

/** Everything ecallmgr listens to on a node: call events, what call control and channel tracking need, registrations. */
export const SUBSCRIBED_EVENTS = [...PUBLISHED_EVENTS, 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_PARK', ...REGISTRATION_SUBCLASSES];

export interface NodeIdentity {
  coreUuid?: string;
  hostname?: string;
  switchname?: string;
}

/** One configured FreeSWITCH node: its ESL client and what we learnt about it from its events. */
export class FsNode {
  readonly identity: NodeIdentity = {};
  constructor(
    readonly name: string,
    readonly client: EslClient,
  ) {}

  get up(): boolean {
    return this.client.up;
  }

  /** `freeswitch@<hostname>` once known (Kazoo's media-server name), else the configured name. */
  get mediaServer(): string {
    return this.identity.hostname ? `freeswitch@${this.identity.hostname}` : this.name;
  }

  learn(event: EslEvent): void {
    this.identity.coreUuid = header(event, 'Core-UUID') ?? this.identity.coreUuid;
    this.identity.hostname = header(event, 'FreeSWITCH-Hostname') ?? this.identity.hostname;
    this.identity.switchname = header(event, 'FreeSWITCH-Switchname') ?? this.identity.switchname;
  }
}

export type NodePoolEvents = {
  event: [node: FsNode, event: EslEvent];
  up: [node: FsNode];
  down: [node: FsNode, reason: FifeError];
};

export interface NodePoolOptions {
  nodes: FsNodeConfig[];
  defaultPassword: string;
  heartbeatTimeoutMs: number;
  log: Logger;
}

/**
 * One inbound ESL connection per configured node, events in JSON. The client reconnects with backoff and
 * re-subscribes by itself; a node silent past the heartbeat timeout is dropped and reconnected (down).
 */
export class NodePool extends EventEmitter<NodePoolEvents> {
  readonly nodes: FsNode[];

  constructor(private readonly options: NodePoolOptions) {
    super();
    this.nodes = options.nodes.map((cfg) => {
      const client = new EslClient({
        host: cfg.host,
        port: cfg.port,
        password: cfg.password ?? options.defaultPassword,
        eventFormat: 'json',
        events: SUBSCRIBED_EVENTS,
        liveness: { mode: 'heartbeat', timeoutMs: options.heartbeatTimeoutMs },
        reconnect: { initialDelayMs: 250, maxDelayMs: 10_000, factor: 2, jitter: 0.3 },
      });
      return new FsNode(cfg.name ?? `${cfg.host}:${cfg.port}`, client);
    });
    for (const node of this.nodes) this.wire(node);
  }

  private wire(node: FsNode): void {
    const log = this.options.log.child({ fsNode: node.name });
    node.client.on('up', () => {
      log.info('freeswitch node up');
      this.emit('up', node);
    });
    node.client.on('down', (reason) => {
      log.warn({ reason: reason.message }, 'freeswitch node down');
      this.emit('down', node, reason);
    });
    node.client.on('error', (err) => log.warn({ err }, 'esl error'));
    node.client.on('event', (event) => {
      node.learn(event);
      this.emit('event', node, event);
    });
  }

  start(): void {
    for (const node of this.nodes) node.client.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.client.stop()));
  }

  /** The node a fetch or event came from: by Core-UUID, then host/switch name; the only node when there is one. */
  find(ref: { coreUuid?: string | undefined; hostname?: string | undefined }): FsNode | undefined {
    const byUuid = ref.coreUuid ? this.nodes.find((n) => n.identity.coreUuid === ref.coreUuid) : undefined;
    if (byUuid) return byUuid;
    const byName = ref.hostname
      ? this.nodes.find((n) => n.identity.hostname === ref.hostname || n.identity.switchname === ref.hostname || n.name === ref.hostname)
      : undefined;
    if (byName) return byName;
    return this.nodes.length === 1 ? this.nodes[0] : undefined;
  }
}
