import { zeroTimes } from '../call/caller-profile.js';
import { type Channel, PCMU } from '../call/channel.js';
import type { LegStartContext } from '../call/originate.js';
import type { Behaviour } from '../config.js';
import { SITES } from '../event-factory.js';
import type { SimPhone } from './phone.js';
import type { SipHost } from './sip-host.js';

/** The far end of an outbound leg: creates the B channel and plays the phone's current behaviour. */
export function ringPhone(host: SipHost, phone: SimPhone, context: LegStartContext): Channel {
  const engine = host.engine;
  const caller = context.caller;
  const cidName = context.vars['origination_caller_id_name'] ?? caller?.profile.callerIdName ?? '';
  const cidNumber = context.vars['origination_caller_id_number'] ?? caller?.profile.callerIdNumber ?? '';
  const name = `sofia/${host.profileName}/${phone.config.user}@${phone.config.ip}:${phone.port}`;
  const b = engine.newChannel({
    name,
    direction: 'outbound',
    hitDialplan: false,
    rootCall: context.rootCall,
    profile: {
      username: caller?.profile.username ?? '',
      callerIdName: cidName, callerIdNumber: cidNumber, origCallerIdName: cidName, origCallerIdNumber: cidNumber,
      calleeIdName: 'Outbound Call', calleeIdNumber: phone.config.user, networkAddr: phone.config.ip,
      ani: cidNumber, destinationNumber: phone.config.user, context: caller?.profile.context ?? 'default',
    },
    vars: [
      ['sip_profile_name', host.profileName],
      ['sip_destination_url', phone.contactUri],
      ...Object.entries(context.vars),
      ['originate_endpoint', 'sofia'],
    ],
  });
  if (caller) {
    // The originatee sees a copy of the caller's profile as it was when the leg was created.
    const snapshot = { ...caller.profile, times: { ...zeroTimes(), progress: caller.profile.times.progress } };
    b.other = { type: 'originator', channel: caller, profile: snapshot };
    b.callUuid = caller.uuid;
    b.setVar('originator', caller.uuid);
    b.setVar('originating_leg_uuid', caller.uuid);
  }
  b.fire('CHANNEL_OUTGOING', SITES.channelOutgoing, { variables: false });
  b.presenceId = context.vars['presence_id'] ?? phone.aor;
  b.setState('CS_INIT', 'CS_ROUTING');
  b.fire('CHANNEL_CREATE', SITES.channelCreate);
  b.fire('CHANNEL_ORIGINATE', SITES.channelOriginate);
  b.setState('CS_CONSUME_MEDIA');
  // The originate attaches its progress/answer hooks after this returns; the far end reacts a moment later.
  const behaviour = phone.behaviour;
  queueMicrotask(() => b.isUp && play(host, b, behaviour));
  return b;
}

/** What the phone does with the INVITE: 180, then 200 / 486 / 603 / nothing / dead, at the scripted times. */
function play(host: SipHost, b: Channel, behaviour: Behaviour): void {
  const clock = host.clock;
  const later = (s: number, fn: () => void): void => {
    // Immediate reactions must not wait for someone to advance a virtual clock.
    if (s <= 0) {
      queueMicrotask(() => b.isUp && fn());
      return;
    }
    const t = clock.setTimer(s * 1000, () => b.isUp && fn());
    b.onHangup(() => clock.clearTimer(t));
  };
  switch (behaviour.kind) {
    case 'answer':
      b.ringReady();
      if (behaviour.earlyMedia) b.preAnswer();
      later(behaviour.afterS, () => {
        b.codec = PCMU;
        b.answer();
        if (behaviour.hangupAfterS !== undefined) later(behaviour.hangupAfterS, () => b.hangup('NORMAL_CLEARING'));
      });
      return;
    case 'busy':
      later(behaviour.afterS, () => b.hangup('USER_BUSY'));
      return;
    case 'reject':
      if (behaviour.afterS > 0) b.ringReady();
      later(behaviour.afterS, () => b.hangup(behaviour.cause));
      return;
    case 'noanswer':
      b.ringReady();
      return;
    case 'unreachable':
      later(0, () => b.hangup('NORMAL_TEMPORARY_FAILURE'));
      return;
  }
}
