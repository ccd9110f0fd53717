import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { FsEvent } from './event.js';

/** What makes one simulated FreeSWITCH distinguishable from another in every event it sends. */
export interface NodeIdentity {
  hostname: string;
  switchname: string;
  coreUuid: string;
  ipv4: string;
  ipv6: string;
}

export function makeIdentity(partial: Partial<NodeIdentity> = {}): NodeIdentity {
  const hostname = partial.hostname ?? 'fs-sim';
  return {
    hostname,
    switchname: partial.switchname ?? hostname,
    coreUuid: partial.coreUuid ?? randomUUID(),
    ipv4: partial.ipv4 ?? '127.0.0.1',
    ipv6: partial.ipv6 ?? '::1',
  };
}

/** Where FreeSWITCH's own code fires an event; shows up as Event-Calling-File/Function/Line-Number. */
export interface CallSite {
  file: string;
  func: string;
  line: number;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** FreeSWITCH prints Event-Date-Local in the machine's zone; the simulator's zone is UTC. */
export function formatLocalDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export const microseconds = (ms: number): string => String(Math.round(ms * 1000));

export class EventFactory {
  private sequence = 400;

  constructor(
    readonly identity: NodeIdentity,
    private readonly clock: Clock,
  ) {}

  /** The base headers switch_event_create adds, in FreeSWITCH's order; CUSTOM events get Event-Subclass first. */
  create(name: string, site: CallSite, subclass?: string): FsEvent {
    const now = this.clock.now();
    const event = new FsEvent();
    if (subclass !== undefined) event.add('Event-Subclass', subclass);
    this.addBase(event, name, site, now);
    return event;
  }

  /** Base headers appended after existing ones (sendevent keeps the client's headers first). */
  appendBase(event: FsEvent, name: string, site: CallSite): FsEvent {
    this.addBase(event, name, site, this.clock.now());
    return event;
  }

  private addBase(event: FsEvent, name: string, site: CallSite, now: number): void {
    const id = this.identity;
    event
      .add('Event-Name', name)
      .add('Core-UUID', id.coreUuid)
      .add('FreeSWITCH-Hostname', id.hostname)
      .add('FreeSWITCH-Switchname', id.switchname)
      .add('FreeSWITCH-IPv4', id.ipv4)
      .add('FreeSWITCH-IPv6', id.ipv6)
      .add('Event-Date-Local', formatLocalDate(now))
      .add('Event-Date-GMT', new Date(now).toUTCString())
      .add('Event-Date-Timestamp', microseconds(now))
      .add('Event-Calling-File', site.file)
      .add('Event-Calling-Function', site.func)
      .add('Event-Calling-Line-Number', String(site.line))
      .add('Event-Sequence', String(++this.sequence));
  }
}

/** Call sites as seen in the FreeSWITCH 1.10.12 captures. */
export const SITES = {
  heartbeat: { file: 'switch_core.c', func: 'send_heartbeat', line: 95 },
  reSchedule: { file: 'switch_scheduler.c', func: 'switch_scheduler_execute', line: 73 },
  backgroundJob: { file: 'mod_event_socket.c', func: 'api_exec', line: 1572 },
  sendevent: { file: 'mod_event_socket.c', func: 'parse_command', line: 2275 },
  api: { file: 'switch_loadable_module.c', func: 'switch_api_execute', line: 2954 },
  channelState: { file: 'switch_channel.c', func: 'switch_channel_perform_set_running_state', line: 2408 },
  channelCallstate: { file: 'switch_channel.c', func: 'switch_channel_perform_set_callstate', line: 301 },
  channelCreate: { file: 'switch_core_state_machine.c', func: 'switch_core_session_run', line: 626 },
  channelOriginate: { file: 'switch_core_state_machine.c', func: 'switch_core_session_run', line: 632 },
  channelOutgoing: { file: 'switch_core_session.c', func: 'switch_core_session_outgoing_channel', line: 768 },
  channelProgress: { file: 'switch_channel.c', func: 'switch_channel_perform_mark_ring_ready_value', line: 3505 },
  channelProgressMedia: { file: 'switch_channel.c', func: 'switch_channel_perform_mark_pre_answered', line: 3639 },
  channelAnswer: { file: 'switch_channel.c', func: 'switch_channel_perform_mark_answered', line: 3846 },
  channelHangup: { file: 'switch_channel.c', func: 'switch_channel_perform_hangup', line: 3445 },
  channelHangupComplete: { file: 'switch_core_state_machine.c', func: 'switch_core_session_reporting_state', line: 943 },
  channelDestroy: { file: 'switch_core_session.c', func: 'switch_core_session_perform_destroy', line: 1584 },
  channelExecute: { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2944 },
  channelExecuteComplete: { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2967 },
  channelPark: { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1002 },
  channelUnpark: { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1213 },
  channelBridge: { file: 'switch_ivr_bridge.c', func: 'switch_ivr_multi_threaded_bridge', line: 1689 },
  channelUnbridge: { file: 'switch_ivr_bridge.c', func: 'switch_ivr_multi_threaded_bridge', line: 1879 },
  playbackStart: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_play_file', line: 1646 },
  playbackStop: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_play_file', line: 2020 },
  channelHold: { file: 'switch_channel.c', func: 'switch_channel_perform_mark_hold', line: 1420 },
  recordFile: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_record_file_event', line: 557 },
  recordSession: { file: 'switch_ivr_async.c', func: 'record_callback', line: 1336 },
  dtmf: { file: 'switch_channel.c', func: 'switch_channel_dequeue_dtmf', line: 677 },
  sofiaRegister: { file: 'sofia_reg.c', func: 'sofia_reg_handle_register_token', line: 2059 },
  sofiaPreRegister: { file: 'sofia_reg.c', func: 'sofia_reg_handle_register_token', line: 1810 },
  sofiaRegisterAttempt: { file: 'sofia_reg.c', func: 'sofia_reg_handle_register_token', line: 1606 },
  sofiaRegisterFailure: { file: 'sofia_reg.c', func: 'sofia_reg_handle_register_token', line: 1792 },
  sofiaUnregister: { file: 'sofia_reg.c', func: 'sofia_reg_handle_register_token', line: 2213 },
  sofiaExpire: { file: 'sofia_reg.c', func: 'sofia_reg_del_callback', line: 726 },
  dirAuth: { file: 'sofia_reg.c', func: 'sofia_reg_parse_auth', line: 3124 },
  dirUserCall: { file: 'mod_dptools.c', func: 'user_outgoing_channel', line: 4366 },
  dialplanLocate: { file: 'mod_dialplan_xml.c', func: 'dialplan_xml_locate', line: 610 },
} satisfies Record<string, CallSite>;
