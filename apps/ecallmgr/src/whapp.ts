import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WhappContext, WhappDefinition } from '@fife/whapp';
import { ecallmgrConfig, settingsOf, type EcallmgrSettings } from './config.js';
import { CallControlManager } from './control/call-control.js';
import { startOriginate } from './control/originate.js';
import { fetchHandler } from './http/fetch-service.js';
import { startXmlCurlServer, type XmlCurlServer } from './http/server.js';
import { ChannelTable } from './nodes/channels.js';
import { NodeLeases } from './nodes/lease.js';
import { NodePool } from './nodes/node-pool.js';
import { EventPublisher } from './nodes/publisher.js';
import { ResponderCount } from './nodes/responders.js';
import { statusConsumer } from './nodes/status.js';
import { resyncChannels } from './nodes/resync.js';
import { RegistrationReplay } from './nodes/replay.js';

export const NAME = 'ecallmgr';
export const VERSION = '0.1.0';

/** What tests and the CLI can reach inside a running ecallmgr. */
export interface EcallmgrRuntime {
  settings: EcallmgrSettings;
  xmlCurl: XmlCurlServer;
  pool: NodePool;
  channels: ChannelTable;
  control: CallControlManager;
  /** Present when ECALLMGR_NODE_LEASES=on. */
  leases?: NodeLeases;
  /** Whether this process publishes the node's events (it holds the lease, or leases are off). */
  owns(node: string): boolean;
  /** How many ecallmgr processes answer channel queries, as last counted (undefined: not known). */
  responders(): number | undefined;
}

function ecallmgrMetrics(registry: Registry, channels: ChannelTable) {
  new Gauge({
    name: 'fife_ecallmgr_channels',
    help: 'Live channels seen on this process’s nodes',
    registers: [registry],
    collect() {
      this.set(channels.size);
    },
  });
  return {
    nodeUp: new Gauge({ name: 'fife_ecallmgr_freeswitch_up', help: '1 while the ESL connection to the node is up', labelNames: ['node'], registers: [registry] }),
    leaseHeld: new Gauge({ name: 'fife_ecallmgr_node_lease', help: '1 while this process publishes the node’s events', labelNames: ['node'], registers: [registry] }),
    fetches: new Histogram({
      name: 'fife_ecallmgr_fetch_seconds',
      help: 'mod_xml_curl fetch latency by section and outcome',
      labelNames: ['section', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    published: new Counter({ name: 'fife_ecallmgr_events_published_total', help: 'FreeSWITCH events published on AMQP', labelNames: ['kind', 'ok'], registers: [registry] }),
  };
}
type EcallmgrMetrics = ReturnType<typeof ecallmgrMetrics>;

interface NodeWiring {
  ctx: WhappContext<typeof ecallmgrConfig>;
  pool: NodePool;
  channels: ChannelTable;
  control: CallControlManager;
  publisher: EventPublisher;
  leases: NodeLeases | undefined;
  owns(node: string): boolean;
  metrics: EcallmgrMetrics;
}

/**
 * Node lifecycle → readiness, metrics and AMQP. With leases, node status and events are published only
 * by the lease holder; channels are tracked and calls controlled by every process that sees the node.
 */
function wireNodes({ ctx, pool, channels, control, publisher, leases, owns, metrics }: NodeWiring): void {
  const replay = new RegistrationReplay();
  for (const node of pool.nodes) {
    metrics.nodeUp.set({ node: node.name }, 0);
    metrics.leaseHeld.set({ node: node.name }, 0);
    ctx.addReadiness(`freeswitch:${node.name}`, () => node.up);
  }
  leases?.on('acquired', (name) => {
    metrics.leaseHeld.set({ node: name }, 1);
    const node = pool.nodes.find((n) => n.name === name);
    if (!node) return;
    publisher.nodeStatus(node, 'up');
    const missed = replay.takeOver(name);
    if (missed.length > 0) ctx.log.info({ fsNode: name, events: missed.length }, 'node taken over: replaying its recent registration events');
    for (const event of missed) publisher.replay(node, event);
  });
  leases?.on('lost', (name) => metrics.leaseHeld.set({ node: name }, 0));
  pool.on('up', (node) => {
    metrics.nodeUp.set({ node: node.name }, 1);
    // Whatever ended while we were away was never seen: forget the node's channels, ask for the live ones.
    channels.dropNode(node.name);
    void resyncChannels(node, channels, ctx.log);
    if (leases) leases.want(node.name);
    else publisher.nodeStatus(node, 'up');
  });
  pool.on('down', (node, reason) => {
    metrics.nodeUp.set({ node: node.name }, 0);
    if (owns(node.name)) publisher.nodeStatus(node, 'down', reason.message);
    void leases?.release(node.name);
  });
  pool.on('event', (node, event) => {
    channels.apply(node.name, event.headers);
    control.onEvent(event);
    if (owns(node.name)) publisher.onEvent(node, event);
    else replay.remember(node.name, event);
  });
}

export function ecallmgrWhapp(hooks: { onReady?: (runtime: EcallmgrRuntime) => void } = {}): WhappDefinition<typeof ecallmgrConfig> {
  return {
    name: NAME,
    version: VERSION,
    config: ecallmgrConfig,
    async setup(ctx) {
      const settings = settingsOf(ctx.config);
      const channels = new ChannelTable();
      const metrics = ecallmgrMetrics(ctx.metrics.registry, channels);
      const pool = new NodePool({ nodes: settings.nodes, defaultPassword: settings.defaultPassword, heartbeatTimeoutMs: settings.heartbeatTimeoutMs, log: ctx.log });
      const publisher = new EventPublisher(ctx.bus, ctx.log, { published: (kind, ok) => metrics.published.inc({ kind, ok: String(ok) }) });
      const control = new CallControlManager({
        bus: ctx.bus,
        pool,
        log: ctx.log,
        sipProfile: settings.sipProfile,
        commandTimeoutMs: settings.controlCommandTimeoutMs,
        otherLeg: (callId) => channels.get(callId)?.otherLeg,
      });
      const leases = settings.leases ? new NodeLeases(ctx.config.AMQP_URL, ctx.log) : undefined;
      const owns = (name: string): boolean => (leases ? leases.holds(name) : true);

      await control.start();
      const responders = new ResponderCount(ctx.config.AMQP_URL, ctx.log);
      await responders.start();
      ctx.onStop(() => responders.stop());
      await ctx.bus.consume(statusConsumer(ctx.bus, channels, pool, owns, () => responders.count));
      await startOriginate({ bus: ctx.bus, pool, control, log: ctx.log, sipProfile: settings.sipProfile });
      wireNodes({ ctx, pool, channels, control, publisher, leases, owns, metrics });

      const xmlCurl = await startXmlCurlServer({
        host: settings.xmlCurl.host,
        port: settings.xmlCurl.port,
        credentials: settings.xmlCurl.credentials,
        log: ctx.log,
        observe: (section, outcome, seconds) => metrics.fetches.observe({ section, outcome }, seconds),
        handle: fetchHandler({
          bus: ctx.bus,
          node: ctx.bus.identity.node ?? NAME,
          sipProfile: settings.sipProfile,
          authnTimeoutMs: settings.authnTimeoutMs,
          routeTimeoutMs: settings.routeTimeoutMs,
          control,
        }),
      });
      ctx.onStop(() => xmlCurl.close());
      pool.start();
      ctx.onStop(() => pool.stop());
      if (leases) ctx.onStop(() => leases.stop());
      ctx.log.info({ xmlCurl: xmlCurl.url, nodes: pool.nodes.map((n) => n.name), controlQueue: control.controlQueue }, 'ecallmgr: serving');
      hooks.onReady?.({ settings, xmlCurl, pool, channels, control, leases, owns, responders: () => responders.count });
    },
  };
}
