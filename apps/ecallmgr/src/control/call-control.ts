import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { build, call, dialplan, replyKey, resource, route, toGregorianSeconds } from '@fife/api';
import { handler, type Bus } from '@fife/bus';
import { header, type EslEvent } from '@fife/esl';
import type { DialplanFetch } from '../domain/route-request.js';
import type { CallControlPort } from '../http/fetch-service.js';
import type { FsNode, NodePool } from '../nodes/node-pool.js';
import { planCommand, type Step } from './commands.js';

type Command = Record<string, unknown>;
type InsertAt = 'tail' | 'head' | 'now' | 'flush';

export interface CallControlOptions {
  bus: Bus;
  pool: NodePool;
  log: Logger;
  sipProfile: string;
  /** Longest one application may run before the queue moves on. */
  commandTimeoutMs: number;
  /** The leg bridged to a call, as the channel table last saw it. */
  otherLeg?(callId: string): string | undefined;
}

/** Applications that may still run after the channel hung up (kazoo-wire §5.2). */
const AFTER_HANGUP = new Set(['store', 'set', 'presence', 'record', 'store_fax', 'receive_fax', 'noop']);

/** A Filter-Applications entry: an application name, or `{Application-Name, Fields}` whose fields must all be equal. */
export function matchesFilter(cmd: Command, filter: unknown): boolean {
  if (typeof filter === 'string') return cmd['Application-Name'] === filter;
  if (typeof filter !== 'object' || filter === null) return false;
  const f = filter as { 'Application-Name'?: unknown; Fields?: Record<string, unknown> };
  if (cmd['Application-Name'] !== f['Application-Name']) return false;
  return Object.entries(f.Fields ?? {}).every(([k, v]) => isDeepStrictEqual(cmd[k], v));
}

/**
 * One controlled call: a queue of Kazoo commands run one at a time, each FreeSWITCH application with an
 * Event-UUID, the next one started when the previous CHANNEL_EXECUTE_COMPLETE came; `now` commands run beside it.
 */
class ControlledCall {
  private queue: Command[] = [];
  private running = false;
  ended = false;

  constructor(
    readonly callId: string,
    readonly node: FsNode,
    readonly fetchId: string,
    readonly context: string,
    private readonly manager: CallControlManager,
  ) {}

  enqueue(commands: Command[], insertAt: InsertAt): void {
    if (insertAt === 'now') {
      for (const cmd of commands) {
        if (cmd['Application-Name'] === 'noop') this.dropQueuedHead(cmd['Filter-Applications']);
        void this.manager.run(this, cmd, { now: true });
      }
      return;
    }
    if (insertAt === 'flush') {
      this.queue = [];
      // Stop what runs now; its completion then lets the pump move on to the new commands.
      this.node.client.uuidBreak(this.callId, true).catch(() => undefined);
    }
    if (insertAt === 'head') this.queue.unshift(...commands);
    else this.queue.push(...commands);
    void this.pump();
  }

  /** noop's Filter-Applications: queued commands are dropped from the head while they match, up to the first that does not. */
  private dropQueuedHead(filters: unknown): void {
    if (!Array.isArray(filters) || filters.length === 0) return;
    while (this.queue.length > 0 && filters.some((f) => matchesFilter(this.queue[0]!, f))) this.queue.shift();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let cmd = this.queue.shift(); cmd; cmd = this.queue.shift()) await this.manager.run(this, cmd);
    } finally {
      this.running = false;
    }
  }
}

/**
 * Call control for this process: one exclusive control queue (the `Control-Queue` of every call it
 * controls, bound to `callctl` and `targeted`), commands dispatched by Call-ID.
 */
export class CallControlManager implements CallControlPort {
  readonly controlQueue: string;
  private readonly calls = new Map<string, ControlledCall>();
  /** Originates waiting for the requester's originate_execute, by Call-ID. */
  private readonly executeWaiters = new Map<string, () => void>();

  constructor(private readonly options: CallControlOptions) {
    this.controlQueue = `${options.bus.serverId}-callctl`;
  }

  async start(): Promise<void> {
    await this.options.bus.consume({
      queue: this.controlQueue,
      exclusive: true,
      prefetch: 256,
      bindings: [
        { exchange: 'callctl', key: this.controlQueue },
        { exchange: 'targeted', key: this.controlQueue },
      ],
      handlers: [
        handler(dialplan.command, (msg) => this.onCommand(msg as unknown as Command)),
        handler(resource.originateExecute, (msg) => void this.executeWaiters.get(msg['Call-ID'])?.()),
      ],
    });
  }

  get controlled(): number {
    return this.calls.size;
  }

  canControl(fetch: DialplanFetch): boolean {
    return this.options.pool.find(fetch)?.up === true;
  }

  /** route_win to the winning responder, then usurp_control so any older controller of the call lets go. */
  async win(fetch: DialplanFetch, fetchId: string, resp: Record<string, unknown>): Promise<void> {
    const node = this.options.pool.find(fetch);
    if (!node) return;
    this.take(fetch.callId, node, fetchId, fetch.context);
    const bus = this.options.bus;
    const ccvs = {
      ...((resp['Custom-Channel-Vars'] as Record<string, unknown> | undefined) ?? {}),
      'Application-Name': resp['App-Name'],
      'Application-Node': resp.Node,
    };
    const target = replyKey(String(resp['Server-ID'] ?? ''));
    if (target) {
      const win = build(
        route.win,
        { 'Msg-ID': fetch.callId, 'Server-ID': this.controlQueue, 'Call-ID': fetch.callId, 'Control-Queue': this.controlQueue, 'Custom-Channel-Vars': ccvs, 'Switch-Hostname': fetch.hostname } as never,
        bus.identity,
      );
      await bus.publish(route.win, win, { exchange: 'targeted', routingKey: target });
    }
    const usurp = build(call.usurpControl, { 'Call-ID': fetch.callId, 'Fetch-ID': fetchId, Reason: 'Route-Win', 'Media-Node': fetch.hostname } as never, bus.identity);
    await bus.publish(call.usurpControl, usurp);
  }

  /** Resolves true when originate_execute for this call arrives on the control queue, false after `timeoutMs`. */
  awaitExecute(callId: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.executeWaiters.delete(callId);
        resolve(false);
      }, timeoutMs);
      this.executeWaiters.set(callId, () => {
        clearTimeout(timer);
        this.executeWaiters.delete(callId);
        resolve(true);
      });
    });
  }

  /** Starts controlling a call on a node (after route_win, or for an originated leg). */
  take(callId: string, node: FsNode, fetchId: string, context: string): void {
    this.calls.set(callId, new ControlledCall(callId, node, fetchId, context, this));
  }

  /** Channel events of every node: a controlled call that ended keeps only its after-hangup commands. */
  onEvent(event: EslEvent): void {
    const name = header(event, 'Event-Name');
    if (name !== 'CHANNEL_DESTROY') return;
    const callId = header(event, 'Unique-ID');
    const controlled = callId ? this.calls.get(callId) : undefined;
    if (!controlled) return;
    controlled.ended = true;
    // Late commands still get their error answer for a while; then the entry goes.
    setTimeout(() => this.calls.delete(controlled.callId), 30_000).unref();
  }

  private async onCommand(cmd: Command): Promise<void> {
    const callId = String(cmd['Call-ID']);
    const controlled = this.calls.get(callId);
    const insertAt = (cmd['Insert-At'] as InsertAt | undefined) ?? 'tail';
    const commands = cmd['Application-Name'] === 'queue' ? this.unpack(cmd) : [cmd];
    if (!controlled) {
      for (const c of commands) await this.error(c, `call ${callId} is not controlled by this ecallmgr`);
      return;
    }
    controlled.enqueue(commands, insertAt);
  }

  /** The commands of a `queue`, each inheriting the envelope's default headers. */
  private unpack(envelope: Command): Command[] {
    const { Commands, 'Application-Name': _queue, 'Insert-At': _at, ...defaults } = envelope;
    return Array.isArray(Commands) ? Commands.map((c) => ({ ...defaults, ...(c as Command) })) : [];
  }

  /**
   * Runs one command to completion (or failure); never throws. `now` commands go without event-lock, so
   * FreeSWITCH runs them inside the application in progress (a transfer or hangup during a bridge).
   */
  async run(controlled: ControlledCall, cmd: Command, opts: { now?: boolean } = {}): Promise<void> {
    const app = String(cmd['Application-Name'] ?? '');
    if (controlled.ended && !AFTER_HANGUP.has(app)) {
      if (app !== 'hangup') await this.error(cmd, `Could not execute dialplan action: ${app} (call ended)`);
      return;
    }
    const plan = planCommand(cmd, { sipProfile: this.options.sipProfile, context: controlled.context });
    if (!plan.ok) {
      await this.error(cmd, `Could not execute dialplan action: ${app}: ${plan.reason}`);
      return;
    }
    for (const step of plan.steps) {
      const ok = await this.runStep(controlled, cmd, step, !opts.now);
      if (!ok) return;
    }
  }

  private async runStep(controlled: ControlledCall, cmd: Command, step: Step, eventLock: boolean): Promise<boolean> {
    const client = controlled.node.client;
    try {
      if (step.kind === 'noop') await this.noopCompleted(controlled, cmd);
      else if (step.kind === 'hangup') await client.hangup(controlled.callId, step.cause);
      else if (step.kind === 'hangupOtherLeg') await this.hangupOtherLeg(controlled, step.cause);
      else if (step.kind === 'requireChannel') {
        if (!(await client.uuidExists(step.uuid))) throw new Error(`channel ${step.uuid} is not on ${controlled.node.name}`);
      } else if (step.kind === 'api') await client.api(step.command.replace('{uuid}', controlled.callId));
      else {
        await client.executeAndWait(controlled.callId, step.app, step.arg, {
          // The queue is ordered by completions, not by event-lock. A bridge goes unlocked so that `now`
          // commands (transfer, hangup of the other leg) can run inside it while the call is connected.
          eventLock: eventLock && step.app !== 'bridge',
          holdBleg: step.holdBleg,
          completionTimeoutMs: this.options.commandTimeoutMs,
        });
      }
      return true;
    } catch (err) {
      if (step.kind === 'hangup' || step.kind === 'hangupOtherLeg') return false; // Kazoo reports nothing for hangup
      if (!controlled.node.up) {
        // Kazoo's answer when the node is gone: the command comes back as CHANNEL_EXECUTE_ERROR.
        await this.executeError(controlled, cmd);
        return false;
      }
      this.options.log.warn({ err, callId: controlled.callId, app: cmd['Application-Name'] }, 'call command failed');
      await this.error(cmd, `Could not execute dialplan action: ${String(cmd['Application-Name'])}`);
      return false;
    }
  }

  /**
   * Kazoo's Other-Leg-Only hangup: the peer is hung up, this leg stays up and keeps its queue (it must not
   * follow the peer as hangup_after_bridge would make it).
   */
  private async hangupOtherLeg(controlled: ControlledCall, cause: string): Promise<void> {
    const client = controlled.node.client;
    const other = this.options.otherLeg?.(controlled.callId) ?? (await client.uuidGetvar(controlled.callId, 'bridge_uuid'));
    if (!other) throw new Error(`call ${controlled.callId} is not bridged`);
    await client.uuidSetvar(controlled.callId, 'hangup_after_bridge', 'false');
    await client.uuidKill(other, cause);
  }

  /** noop runs nothing on FreeSWITCH: its completion event carries its own Msg-ID as Application-Response. */
  private async noopCompleted(controlled: ControlledCall, cmd: Command): Promise<void> {
    const bus = this.options.bus;
    const msg = build(
      call.event,
      {
        'Event-Name': 'CHANNEL_EXECUTE_COMPLETE',
        'Call-ID': controlled.callId,
        'Application-Name': 'noop',
        'Application-Response': String(cmd['Msg-ID'] ?? ''),
        Timestamp: toGregorianSeconds(Math.floor(Date.now() / 1000)),
        'Switch-Hostname': controlled.node.identity.hostname,
      } as never,
      bus.identity,
    );
    await bus.publish(call.event, msg);
  }

  private async executeError(controlled: ControlledCall, cmd: Command): Promise<void> {
    const bus = this.options.bus;
    try {
      const msg = build(
        call.event,
        { 'Event-Name': 'CHANNEL_EXECUTE_ERROR', 'Msg-ID': String(cmd['Msg-ID'] ?? ''), 'Call-ID': controlled.callId, 'Application-Name': String(cmd['Application-Name'] ?? ''), 'Application-Data': cmd } as never,
        bus.identity,
      );
      await bus.publish(call.event, msg);
    } catch (err) {
      this.options.log.warn({ err }, 'could not publish CHANNEL_EXECUTE_ERROR');
    }
  }

  private async error(cmd: Command, message: string): Promise<void> {
    const bus = this.options.bus;
    try {
      const msg = build(
        dialplan.error,
        { 'Msg-ID': String(cmd['Msg-ID'] ?? ''), 'Call-ID': String(cmd['Call-ID'] ?? ''), 'Error-Message': message, Request: cmd } as never,
        bus.identity,
      );
      await bus.publish(dialplan.error, msg);
    } catch (err) {
      this.options.log.warn({ err }, 'could not publish a command error');
    }
  }
}
