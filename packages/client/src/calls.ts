import { build, call, dialplan, encodeSegment, resource, type MessageInput, type MessageOf } from '@fife/api';
import { handler, type Bus, type Consumer } from '@fife/bus';
import { nanoid } from 'nanoid';
import { isErrorReply, remoteError } from './remote-error.js';

type CallEvent = MessageOf<typeof call.event>;
type OriginateFields = Omit<MessageInput<typeof resource.originateReq>, 'Event-Category' | 'Event-Name' | 'App-Name' | 'App-Version' | 'Msg-ID'>;
type CommandFields = Omit<MessageInput<typeof dialplan.command>, 'Event-Category' | 'Event-Name' | 'App-Name' | 'App-Version' | 'Msg-ID' | 'Call-ID' | 'Application-Name'>;

export interface EventFilter {
  /** FreeSWITCH-style event name (CHANNEL_ANSWER, ...); default every event. */
  event?: string;
  /** One call (FreeSWITCH UUID); default every call. */
  callId?: string;
}

export interface Subscription {
  close(): Promise<void>;
}

export class Calls {
  constructor(private readonly bus: Bus) {}

  /**
   * Live call events from ecallmgr (`callevt`, `call.<EVENT>.<call-id>`), on a queue of this client's
   * own that disappears with it; filters are routing-key bindings, so the broker does the filtering.
   */
  async subscribe(filter: EventFilter, onEvent: (event: CallEvent) => void | Promise<void>): Promise<Subscription> {
    const key = `call.${filter.event ? encodeSegment(filter.event) : '*'}.${filter.callId ? encodeSegment(filter.callId) : '*'}`;
    const consumer: Consumer = await this.bus.consume({
      queue: `${this.bus.serverId}.events.${nanoid(6)}`,
      exclusive: true,
      bindings: [{ exchange: 'callevt', key }],
      handlers: [handler(call.event, (event) => onEvent(event))],
    });
    return { close: () => consumer.cancel() };
  }

  /** Sends one call-control command to a parked call's Control-Queue (from route_win or originate). */
  async command(controlQueue: string, callId: string, application: string, fields: CommandFields = {}): Promise<void> {
    const msg = build(dialplan.command, { ...fields, 'Call-ID': callId, 'Application-Name': application } as never, this.bus.identity);
    await this.bus.publish(dialplan.command, msg, { routingKey: controlQueue });
  }

  /**
   * Originates a call through ecallmgr (published mandatory, so a cluster with no ecallmgr fails at
   * once). Resolves with originate_resp / originate_started; `onProgress` sees originate_uuid first.
   */
  async originate(
    fields: OriginateFields,
    opts: { timeoutMs?: number; onProgress?(reply: Record<string, unknown>): void } = {},
  ): Promise<Record<string, unknown>> {
    const reply = await this.bus.request(resource.originateReq, fields as never, {
      timeoutMs: opts.timeoutMs ?? 30_000,
      mandatory: true,
      replies: [resource.originateResp, resource.originateStarted, resource.originateError],
      interim: [resource.originateUuid, resource.originateReady],
      ...(opts.onProgress ? { onInterim: opts.onProgress } : {}),
    });
    if (isErrorReply(reply)) throw remoteError(reply, 'originate');
    return reply;
  }
}
