import type { Clock } from '../clock.js';
import type { CallEngine } from '../call/engine.js';
import type { FsEvent } from '../event.js';
import type { EventFactory, NodeIdentity } from '../event-factory.js';
import type { XmlCurlClient } from '../xml-curl.js';
import type { Registrar } from './registrar.js';

/** What the SIP side (phones, registrar, endpoint resolution) needs from its node. */
export interface SipHost {
  readonly clock: Clock;
  readonly events: EventFactory;
  readonly identity: NodeIdentity;
  readonly xmlCurl: XmlCurlClient;
  readonly engine: CallEngine;
  readonly registrar: Registrar;
  readonly profileName: string;
  readonly sipPort: number;
  readonly authCalls: boolean;
  readonly expireMarginS: number;
  fire(event: FsEvent): void;
}
