import type { Logger } from 'pino';
import { build, call, nodes as nodeMessages, registration } from '@fife/api';
import type { Bus } from '@fife/bus';
import type { EslEvent } from '@fife/esl';
import { callEventFields, isCallEvent } from '../domain/call-event.js';
import { regSuccessFields } from '../domain/registration.js';
import type { FsNode } from './node-pool.js';

export interface PublisherMetrics {
  published(kind: 'call_event' | 'reg_success' | 'media_server', ok: boolean): void;
}

/**
 * Turns node events into AMQP messages. Publishes are started in arrival order and not awaited one by
 * one (the channel keeps their order; waiting for each confirm would cap a node at one event per round trip).
 */
export class EventPublisher {
  constructor(
    private readonly bus: Bus,
    private readonly log: Logger,
    private readonly metrics?: PublisherMetrics,
  ) {}

  onEvent(node: FsNode, event: EslEvent): void {
    const headers = event.headers;
    if (isCallEvent(headers)) return this.send('call_event', () => build(call.event, callEventFields(headers) as never, this.bus.identity), call.event, node);
    this.registration(node, event, false);
  }

  /** A registration event the previous holder of the node may not have published (see RegistrationReplay). */
  replay(node: FsNode, event: EslEvent): void {
    this.registration(node, event, true);
  }

  private registration(node: FsNode, event: EslEvent, replayed: boolean): void {
    const reg = regSuccessFields(event.headers, Date.now());
    if (!reg) return;
    const fields = replayed ? { ...reg, 'Fife-Replayed': true } : reg;
    this.send('reg_success', () => build(registration.success, fields as never, this.bus.identity), registration.success, node);
  }

  /** Node up/down on the `fife` exchange (`node.media_server.<status>.<name>`). */
  nodeStatus(node: FsNode, status: 'up' | 'down', reason?: string): void {
    this.send(
      'media_server',
      () =>
        build(
          nodeMessages.mediaServer,
          { 'Media-Server': node.mediaServer, Status: status, Reason: reason, 'Switch-Hostname': node.identity.hostname } as never,
          this.bus.identity,
        ),
      nodeMessages.mediaServer,
      node,
    );
  }

  private send(kind: 'call_event' | 'reg_success' | 'media_server', make: () => Record<string, unknown>, def: Parameters<Bus['publish']>[0], node: FsNode): void {
    let msg: Record<string, unknown>;
    try {
      msg = make();
    } catch (err) {
      // An event we cannot express is logged, never allowed to stop the node's stream.
      this.log.warn({ err, fsNode: node.name, kind }, 'event not publishable');
      this.metrics?.published(kind, false);
      return;
    }
    this.bus.publish(def, msg as never).then(
      () => this.metrics?.published(kind, true),
      (err) => {
        this.metrics?.published(kind, false);
        this.log.warn({ err, fsNode: node.name, kind }, 'publish failed');
      },
    );
  }
}
