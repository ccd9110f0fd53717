import type { Clock } from '../clock.js';
import type { FsEvent } from '../event.js';
import type { EventFactory } from '../event-factory.js';
import type { ClientCommand } from './command-parser.js';
import type { LogLine } from './frames.js';

/** What an ESL connection needs from the simulated FreeSWITCH it belongs to. */
export interface EslHost {
  readonly password: string;
  readonly clock: Clock;
  readonly events: EventFactory;
  /** Runs an API command; resolves to its output (the api/response body or the BACKGROUND_JOB body). */
  api(command: string, args: string): Promise<string>;
  /** Queues a sendmsg on a channel; returns the Reply-Text. */
  sendmsg(uuid: string, command: ClientCommand): string;
  channelName(uuid: string): string | undefined;
  /** Fires an event to every listener, as switch_event_fire does. */
  fire(event: FsEvent): void;
  log(line: LogLine): void;
}
