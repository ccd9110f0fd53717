import type { FsEvent } from '../event.js';
import { microseconds } from '../event-factory.js';

/** switch_caller_profile_t, the part of a channel events show as Caller-* (and Other-Leg-*, Hunt-*). */
export interface CallerProfile {
  direction: 'inbound' | 'outbound';
  logicalDirection: 'inbound' | 'outbound';
  username: string;
  dialplan: string;
  callerIdName: string;
  callerIdNumber: string;
  origCallerIdName: string;
  origCallerIdNumber: string;
  calleeIdName: string;
  calleeIdNumber: string;
  networkAddr: string;
  ani: string;
  destinationNumber: string;
  uniqueId: string;
  source: string;
  context: string;
  channelName: string;
  profileIndex: number;
  times: ProfileTimes;
}

/** Milliseconds since the epoch, 0 when the moment has not happened (events show microseconds). */
export interface ProfileTimes {
  profileCreated: number;
  created: number;
  answered: number;
  progress: number;
  progressMedia: number;
  hangup: number;
  transfer: number;
  resurrect: number;
  bridged: number;
  lastHold: number;
  holdAccum: number;
}

export const zeroTimes = (): ProfileTimes => ({
  profileCreated: 0, created: 0, answered: 0, progress: 0, progressMedia: 0, hangup: 0, transfer: 0,
  resurrect: 0, bridged: 0, lastHold: 0, holdAccum: 0,
});

/**
 * switch_caller_profile_event_set_data: empty strings are left out (FreeSWITCH skips them), the
 * profile index only appears for the channel's own profile.
 */
export function addProfileHeaders(event: FsEvent, prefix: string, p: CallerProfile, withIndex: boolean): void {
  const put = (name: string, value: string): void => {
    if (value !== '') event.add(`${prefix}-${name}`, value);
  };
  put('Direction', p.direction);
  put('Logical-Direction', p.logicalDirection);
  put('Username', p.username);
  put('Dialplan', p.dialplan);
  put('Caller-ID-Name', p.callerIdName);
  put('Caller-ID-Number', p.callerIdNumber);
  put('Orig-Caller-ID-Name', p.origCallerIdName);
  put('Orig-Caller-ID-Number', p.origCallerIdNumber);
  put('Callee-ID-Name', p.calleeIdName);
  put('Callee-ID-Number', p.calleeIdNumber);
  put('Network-Addr', p.networkAddr);
  put('ANI', p.ani);
  put('Destination-Number', p.destinationNumber);
  put('Unique-ID', p.uniqueId);
  put('Source', p.source);
  put('Context', p.context);
  put('Channel-Name', p.channelName);
  if (withIndex) put('Profile-Index', String(p.profileIndex));
  const t = p.times;
  put('Profile-Created-Time', microseconds(t.profileCreated));
  put('Channel-Created-Time', microseconds(t.created));
  put('Channel-Answered-Time', microseconds(t.answered));
  put('Channel-Progress-Time', microseconds(t.progress));
  put('Channel-Progress-Media-Time', microseconds(t.progressMedia));
  put('Channel-Hangup-Time', microseconds(t.hangup));
  put('Channel-Transfer-Time', microseconds(t.transfer));
  put('Channel-Resurrect-Time', microseconds(t.resurrect));
  put('Channel-Bridged-Time', microseconds(t.bridged));
  put('Channel-Last-Hold', microseconds(t.lastHold));
  put('Channel-Hold-Accum', microseconds(t.holdAccum));
  put('Screen-Bit', 'true');
  put('Privacy-Hide-Name', 'false');
  put('Privacy-Hide-Number', 'false');
}
