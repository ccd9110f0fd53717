import { randomUUID } from 'node:crypto';
import { SITES } from '../event-factory.js';
import { APPS } from './apps.js';
import type { Channel } from './channel.js';
import type { CallEngine } from './engine.js';
import { expandVariables } from './expand.js';

export interface QueuedExecute {
  app: string;
  arg: string;
  appUuid: string | undefined;
  loops: number;
  /** sendmsg `event-lock: true`: nothing queued after it runs until it is done. */
  eventLock?: boolean;
}

/**
 * What runs on a channel: its dialplan, then whatever sendmsg queues. Applications started by sendmsg run as soon
 * as they are queued, one after another, alongside an application that waits for events (park, playback,
 * bridge), which is how FreeSWITCH serves a parked channel driven over ESL.
 */
export class Session {
  readonly exports = new Map<string, string>();
  /** Paths being recorded by record_session (a media bug each). */
  readonly recordings = new Set<string>();
  /** Dial strings conference_set_auto_outcall collected for the next conference. */
  readonly autoOutcalls: string[] = [];
  private transfer: { dest: string; context: string | undefined } | undefined;
  private wakeParked: (() => void) | undefined;
  private queue: QueuedExecute[] = [];
  private pumping = false;
  /** The queued application the pump is running (a nested one is not queued). */
  private running: QueuedExecute | undefined;
  private afterHooks: Array<() => void> = [];

  constructor(
    readonly engine: CallEngine,
    readonly channel: Channel,
  ) {}

  /** Sleeps on the channel; false when the channel hung up (or was transferred) first. */
  async wait(ms: number): Promise<boolean> {
    if (!this.channel.isUp) return false;
    let timer: ReturnType<CallEngine['clock']['setTimer']> | undefined;
    const slept = new Promise<boolean>((resolve) => {
      timer = this.engine.clock.setTimer(ms, () => resolve(true));
    });
    const result = await Promise.race([slept, this.channel.down.then(() => false)]);
    this.engine.clock.clearTimer(timer);
    return result;
  }

  /** Park: returns when the channel hangs up, is transferred elsewhere or taken over (uuid_bridge). */
  async parked(): Promise<void> {
    if (!this.channel.isUp || this.transfer || this.held) return;
    await Promise.race([
      this.channel.down,
      new Promise<void>((resolve) => {
        this.wakeParked = resolve;
      }),
    ]);
    this.wakeParked = undefined;
  }

  requestTransfer(dest: string, context: string | undefined): void {
    this.transfer = { dest, context };
    this.wakeParked?.();
  }

  afterApp(hook: () => void): void {
    this.afterHooks.push(hook);
  }

  /** switch_core_session_execute_application: CHANNEL_EXECUTE, the app, CHANNEL_EXECUTE_COMPLETE. */
  async execute(app: string, rawArg: string, appUuid: string = randomUUID(), fromDialplan = true): Promise<void> {
    const ch = this.channel;
    if (!ch.isUp) return;
    const arg = expandVariables(rawArg, ch);
    const impl = APPS[app];
    const appHeaders = (): Array<[string, string]> => {
      const h: Array<[string, string]> = [['Application', app]];
      if (arg) h.push(['Application-Data', arg]);
      return h;
    };
    ch.setVar('current_application_data', arg);
    ch.setVar('current_application', app);
    ch.fire('CHANNEL_EXECUTE', SITES.channelExecute, { post: [...appHeaders(), ['Application-UUID', appUuid]] });
    let response = '_none_';
    if (impl) {
      ch.hold();
      try {
        response = await impl(this, arg);
      } finally {
        ch.fire('CHANNEL_EXECUTE_COMPLETE', SITES.channelExecuteComplete, {
          post: [...appHeaders(), ['Application-Response', response], ['Application-UUID', appUuid]],
        });
        for (const hook of this.afterHooks.splice(0)) hook();
        ch.release();
      }
      return;
    }
    this.engine.log({ level: 3, file: 'switch_core_session.c', func: 'switch_core_session_execute_application_get_flags', line: 2812, text: `Invalid Application ${app}` });
    ch.fire('CHANNEL_EXECUTE_COMPLETE', SITES.channelExecuteComplete, {
      post: [...appHeaders(), ['Application-Response', response], ['Application-UUID', appUuid]],
    });
    if (fromDialplan) ch.hangup('DESTINATION_OUT_OF_ORDER');
  }

  /** Routes the channel through the dialplan (again after every transfer) and hangs it up when the plan runs out. */
  async runDialplan(): Promise<void> {
    const ch = this.channel;
    ch.hold();
    try {
      await this.routeLoop();
      await this.drain();
      if (ch.isUp) ch.hangup('NORMAL_CLEARING');
    } finally {
      ch.release();
    }
  }

  /** Runs one application on a channel that has no dialplan (originate's `&app()`), then hangs up. */
  async runApplication(app: string, arg: string): Promise<void> {
    const ch = this.channel;
    ch.hold();
    try {
      ch.setState('CS_EXECUTE');
      await this.execute(app, arg);
      await this.waitWhileHeld();
      if (ch.isUp && this.transfer) {
        this.applyTransfer();
        await this.routeLoop();
      }
      await this.drain();
      if (ch.isUp) ch.hangup('NORMAL_CLEARING');
    } finally {
      ch.release();
    }
  }

  /**
   * Takes the channel out of what it is doing (park wakes up, no further dialplan actions) for as long as `work`
   * runs, as uuid_bridge does; afterwards the channel has nothing left to do and hangs up.
   */
  holdFor(work: Promise<unknown>): void {
    this.held = work;
    this.displaced = true;
    this.wakeParked?.();
  }

  private held: Promise<unknown> | undefined;
  private displaced = false;

  private async waitWhileHeld(): Promise<void> {
    while (this.held) {
      const work = this.held;
      await work.catch(() => undefined);
      if (this.held === work) this.held = undefined;
    }
  }

  private applyTransfer(): void {
    const { dest, context } = this.transfer!;
    const p = this.channel.profile;
    p.destinationNumber = dest;
    if (context) p.context = context;
    p.times.transfer = this.engine.clock.now();
  }

  private async routeLoop(): Promise<void> {
    const ch = this.channel;
    for (let hops = 0; hops < 32 && ch.isUp; hops++) {
      ch.setState('CS_ROUTING');
      if (ch.callState === 'DOWN') ch.setCallState('RINGING');
      const selection = await this.engine.fetchDialplan(ch);
      if (!ch.isUp) break;
      if (selection.kind !== 'actions') {
        ch.hangup('NO_ROUTE_DESTINATION');
        break;
      }
      ch.setState('CS_EXECUTE');
      this.transfer = undefined;
      for (const action of selection.actions) {
        if (!ch.isUp || this.transfer || this.displaced) break;
        await this.execute(action.application, action.data);
        await this.waitWhileHeld();
      }
      if (!this.transfer || this.displaced) break;
      this.applyTransfer();
    }
  }

  /**
   * sendmsg execute: queued, run in order; `loops` repeats it. While a queued application runs without
   * event-lock, a new message runs at once, nested inside it, as FreeSWITCH does when an application checks
   * its event queue (bridge, playback, park, ...).
   */
  enqueue(item: QueuedExecute): void {
    if (this.running && !this.running.eventLock) {
      void this.runItem(item);
      return;
    }
    this.queue.push(item);
    if (!this.pumping) void this.pump();
  }

  private async runItem(item: QueuedExecute): Promise<void> {
    const loops = item.loops === 0 ? 1 : item.loops;
    for (let i = 0; (loops < 0 || i < loops) && this.channel.isUp; i++) {
      await this.execute(item.app, item.arg, item.appUuid ?? randomUUID(), false);
    }
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    const ch = this.channel;
    ch.hold();
    try {
      while (this.queue.length > 0 && ch.isUp) {
        const item = this.queue.shift()!;
        this.running = item;
        await this.runItem(item);
      }
      this.queue = [];
    } finally {
      this.running = undefined;
      this.pumping = false;
      ch.release();
    }
  }

  private async drain(): Promise<void> {
    while (this.pumping && this.channel.isUp) await this.engine.clock.sleep(100);
  }
}
