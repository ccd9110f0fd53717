import type { FsEvent } from '../event.js';

/** Every event name the simulator can fire; `ALL` and nixevent work on this list as FreeSWITCH's event_list does. */
export const KNOWN_EVENTS = [
  'CUSTOM', 'CLONE', 'CHANNEL_CREATE', 'CHANNEL_DESTROY', 'CHANNEL_STATE', 'CHANNEL_CALLSTATE', 'CHANNEL_ANSWER',
  'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HOLD',
  'CHANNEL_UNHOLD', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_OUTGOING', 'CHANNEL_PARK', 'CHANNEL_UNPARK', 'CHANNEL_APPLICATION', 'CHANNEL_ORIGINATE', 'CHANNEL_UUID',
  'API', 'LOG', 'INBOUND_CHAN', 'OUTBOUND_CHAN', 'STARTUP', 'SHUTDOWN', 'PUBLISH', 'UNPUBLISH', 'TALK', 'NOTALK',
  'SESSION_CRASH', 'MODULE_LOAD', 'MODULE_UNLOAD', 'DTMF', 'MESSAGE', 'PRESENCE_IN', 'NOTIFY_IN', 'PRESENCE_OUT',
  'PRESENCE_PROBE', 'MESSAGE_WAITING', 'MESSAGE_QUERY', 'ROSTER', 'CODEC', 'BACKGROUND_JOB', 'DETECTED_SPEECH',
  'DETECTED_TONE', 'PRIVATE_COMMAND', 'HEARTBEAT', 'TRAP', 'ADD_SCHEDULE', 'DEL_SCHEDULE', 'EXE_SCHEDULE',
  'RE_SCHEDULE', 'RELOADXML', 'NOTIFY', 'PHONE_FEATURE', 'PHONE_FEATURE_SUBSCRIBE', 'SEND_MESSAGE', 'RECV_MESSAGE',
  'REQUEST_PARAMS', 'CHANNEL_DATA', 'GENERAL', 'COMMAND', 'SESSION_HEARTBEAT', 'CLIENT_DISCONNECTED',
  'SERVER_DISCONNECTED', 'SEND_INFO', 'RECV_INFO', 'RECV_RTCP_MESSAGE', 'SEND_RTCP_MESSAGE', 'CALL_SECURE', 'NAT',
  'RECORD_START', 'RECORD_STOP', 'PLAYBACK_START', 'PLAYBACK_STOP', 'CALL_UPDATE', 'FAILURE', 'SOCKET_DATA',
  'MEDIA_BUG_START', 'MEDIA_BUG_STOP', 'CONFERENCE_DATA_QUERY', 'CONFERENCE_DATA', 'CALL_SETUP_REQ',
  'CALL_SETUP_RESULT', 'CALL_DETAIL', 'DEVICE_STATE', 'TEXT', 'SHUTDOWN_REQUESTED',
] as const;

const KNOWN = new Set<string>(KNOWN_EVENTS);

/** The channel events `myevents` subscribes to (mod_event_socket's myevents list). */
export const MYEVENTS_SET = [
  'CHANNEL_ANSWER', 'CHANNEL_APPLICATION', 'CHANNEL_BRIDGE', 'CHANNEL_CREATE', 'CHANNEL_DATA', 'CHANNEL_DESTROY',
  'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_ORIGINATE',
  'CHANNEL_UUID', 'CHANNEL_OUTGOING', 'CHANNEL_PARK', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_STATE', 'CHANNEL_UNBRIDGE', 'CHANNEL_UNPARK', 'DETECTED_SPEECH', 'DTMF', 'NOTALK', 'TALK',
  'PLAYBACK_START', 'PLAYBACK_STOP', 'RECORD_START', 'RECORD_STOP', 'BACKGROUND_JOB', 'CALL_UPDATE',
];

/** Normalises a keyword the way switch_name_event does: case-insensitive, optional SWITCH_EVENT_ prefix. */
export function eventNameOf(word: string): string | undefined {
  const upper = word.toUpperCase().replace(/^SWITCH_EVENT_/, '');
  if (upper === 'ALL') return 'ALL';
  return KNOWN.has(upper) ? upper : undefined;
}

interface Filter {
  header: string;
  value: string;
}

/** One listener's event_list, custom-subclass hash and filters, with FreeSWITCH's delivery rules. */
export class Subscriptions {
  private all = false;
  /** ALL sets event_list[CUSTOM] with no subclass hash: every subclass stays wanted after nixing other names. */
  private allCustom = false;
  private names = new Set<string>();
  private subclasses = new Set<string>();
  private filters: Filter[] = [];
  enabled = false;
  /** Set by `myevents`: only this channel's events (and its background jobs) get through. */
  sessionUuid: string | undefined;

  /** Returns the number of keywords accepted (FreeSWITCH answers -ERR no keywords supplied for 0). */
  subscribe(words: string[]): number {
    let count = 0;
    let custom = false;
    for (const word of words) {
      if (custom) {
        this.subclasses.add(word);
        continue;
      }
      const name = eventNameOf(word);
      if (!name) continue;
      count++;
      if (name === 'ALL') {
        this.all = true;
        this.allCustom = true;
        for (const n of KNOWN_EVENTS) this.names.add(n);
      } else {
        this.names.add(name);
      }
      if (name === 'CUSTOM') custom = true;
    }
    if (count > 0) this.enabled = true;
    return count;
  }

  nix(words: string[]): number {
    let count = 0;
    let custom = false;
    for (const word of words) {
      if (custom) {
        this.subclasses.delete(word);
        continue;
      }
      const name = eventNameOf(word);
      if (!name) continue;
      count++;
      if (name === 'ALL') {
        this.all = false;
        this.allCustom = false;
        this.names.clear();
        continue;
      }
      if (name === 'CUSTOM') {
        custom = true;
        if (words.length === 1) this.allCustom = false;
      }
      // Nixing one name after ALL keeps every other name, including custom subclasses (event_list[ALL] is cleared).
      this.all = false;
      this.names.delete(name);
    }
    return count;
  }

  /** `noevents`: false when there was nothing to drop. */
  clear(): boolean {
    const had = this.enabled;
    this.all = false;
    this.allCustom = false;
    this.names.clear();
    this.subclasses.clear();
    this.enabled = false;
    return had;
  }

  addFilter(header: string, value: string): void {
    this.filters.push({ header, value });
  }

  deleteFilter(header: string, value?: string): void {
    if (header.toLowerCase() === 'all') {
      this.filters = [];
      return;
    }
    this.filters = this.filters.filter(
      (f) => f.header.toLowerCase() !== header.toLowerCase() || (value !== undefined && f.value !== value),
    );
  }

  wants(event: FsEvent): boolean {
    if (!this.enabled) return false;
    if (!this.subscribed(event)) return false;
    if (this.sessionUuid && !this.belongsToSession(event)) return false;
    return this.passesFilters(event);
  }

  private subscribed(event: FsEvent): boolean {
    if (this.all) return true;
    if (!this.names.has(event.name)) return false;
    if (event.name !== 'CUSTOM') return true;
    const subclass = event.subclass;
    return subclass === undefined || this.allCustom || this.subclasses.has(subclass);
  }

  private belongsToSession(event: FsEvent): boolean {
    const uuid = this.sessionUuid;
    return event.get('Unique-ID') === uuid || event.get('Job-Owner-UUID') === uuid;
  }

  private passesFilters(event: FsEvent): boolean {
    if (this.filters.length === 0) return true;
    let send = false;
    for (const f of this.filters) {
      const actual = event.get(f.header);
      if (actual === undefined) continue;
      let positive = true;
      let wanted = f.value;
      if (wanted.startsWith('-')) {
        positive = false;
        wanted = wanted.slice(1);
      } else if (wanted.startsWith('+')) {
        wanted = wanted.slice(1);
      }
      if (send && positive) continue;
      const matched = wanted.startsWith('/') ? regexMatches(wanted, actual) : wanted.toLowerCase() === actual.toLowerCase();
      if (!matched) continue;
      if (!positive) return false;
      send = true;
    }
    return send;
  }
}

function regexMatches(pattern: string, value: string): boolean {
  const body = pattern.replace(/^\//, '').replace(/\/$/, '');
  try {
    return new RegExp(body).test(value);
  } catch {
    return false;
  }
}
