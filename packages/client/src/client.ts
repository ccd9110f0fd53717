import pino, { type Logger } from 'pino';
import { hostname } from 'node:os';
import { Bus } from '@fife/bus';
import { Calendars } from './calendars.js';
import { Calls } from './calls.js';
import { Callgroups } from './callgroups.js';
import { Routes } from './routes.js';
import { Registrations } from './registrations.js';
import { Provisioning } from './provisioning.js';
import { System } from './system.js';

export interface ClientOptions {
  /** RabbitMQ URL; default $AMQP_URL. */
  url?: string;
  /** How this client appears in App-Name (and in the broker's connection list). */
  appName?: string;
  logger?: Logger;
}

/**
 * Fife's integrator SDK: typed requests over AMQP with deadlines and typed errors, event
 * subscriptions, and call control. Reconnects are handled by the bus underneath.
 */
export class FifeClient {
  readonly registrations: Registrations;
  readonly calendars: Calendars;
  readonly calls: Calls;
  readonly system: System;
  readonly provisioning: Provisioning;
  readonly routes: Routes;
  readonly callgroups: Callgroups;

  private constructor(readonly bus: Bus) {
    this.registrations = new Registrations(bus);
    this.calendars = new Calendars(bus);
    this.calls = new Calls(bus);
    this.system = new System(bus);
    this.provisioning = new Provisioning(bus);
    this.routes = new Routes(bus);
    this.callgroups = new Callgroups(bus);
  }

  /** A client on a bus the caller already started (and will close): e.g. a CLI command or a whapp. */
  static fromBus(bus: Bus): FifeClient {
    return new FifeClient(bus);
  }

  static async connect(opts: ClientOptions = {}): Promise<FifeClient> {
    const url = opts.url ?? process.env.AMQP_URL;
    if (!url) throw new Error('FifeClient.connect: give `url` or set AMQP_URL');
    const appName = opts.appName ?? 'fife-client';
    const bus = new Bus({
      url,
      identity: { appName, appVersion: '0.1.0', node: `${appName}@${hostname()}` },
      logger: opts.logger ?? pino({ level: 'warn' }),
    });
    await bus.start();
    return new FifeClient(bus);
  }

  close(): Promise<void> {
    return this.bus.close();
  }
}
