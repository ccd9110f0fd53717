import { SITES } from '../event-factory.js';
import { type Channel, passCalleeId } from './channel.js';
import type { CallEngine } from './engine.js';
import { q850Of } from './hangup-causes.js';
import { originate } from './originate.js';
import type { Session } from './session.js';

const DIALSTATUS: Record<string, string> = {
  USER_BUSY: 'BUSY',
  NO_ANSWER: 'NOANSWER',
  NO_USER_RESPONSE: 'NOANSWER',
  ALLOTTED_TIMEOUT: 'NOANSWER',
  ORIGINATOR_CANCEL: 'CANCEL',
  NORMAL_CIRCUIT_CONGESTION: 'CONGESTION',
  SWITCH_CONGESTION: 'CONGESTION',
};

/**
 * continue_on_fail: `true` continues after any failure, a list of cause names or Q.850 codes only after those;
 * unset, the caller is hung up with the bridge's cause.
 */
export function continuesOnFail(setting: string | undefined, cause: string): boolean {
  if (!setting) return false;
  if (/^(true|yes|on|1)$/i.test(setting.trim())) return true;
  return setting
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .some((item) => item === cause || (/^\d+$/.test(item) && Number(item) === q850Of(cause)));
}

function link(a: Channel, b: Channel): void {
  const now = a.clock.now();
  a.other = { type: 'originatee', channel: b };
  // Once bridged, the B leg's events show the caller's live profile again (callee id included).
  b.other = { type: 'originator', channel: a };
  b.callUuid = a.uuid;
  a.profile.times.bridged = now;
  b.profile.times.bridged = now;
  a.setVar('bridge_channel', b.name);
  a.setVar('bridge_uuid', b.uuid);
  a.setVar('last_bridge_to', b.uuid);
  a.setVar('signal_bond', b.uuid);
  b.setVar('bridge_channel', a.name);
  b.setVar('bridge_uuid', a.uuid);
  b.setVar('last_bridge_to', a.uuid);
  b.setVar('signal_bond', a.uuid);
}

/** mod_dptools' bridge: originate the dial string, answer the caller, bridge, wait for one side to hang up. */
export async function bridgeApp(session: Session, data: string): Promise<string> {
  const a = session.channel;
  const result = await originate(session.engine, {
    dial: data,
    caller: a,
    rootCall: a.rootCall,
    baseVars: Object.fromEntries(session.exports),
  });
  if (!result.ok) {
    a.setVar('originate_disposition', result.cause);
    a.setVar('DIALSTATUS', DIALSTATUS[result.cause] ?? 'CHANUNAVAIL');
    a.setVar('last_bridge_hangup_cause', result.cause);
    if (a.isUp && !continuesOnFail(a.getVar('continue_on_fail'), result.cause)) a.hangup(result.cause);
    return '_none_';
  }
  const b = result.leg;
  b.hold();
  passCalleeId(b, a);
  if (!a.answered) a.answer();
  link(a, b);
  a.setVar('originate_disposition', 'SUCCESS');
  a.setVar('DIALSTATUS', 'SUCCESS');
  b.setState('CS_EXCHANGE_MEDIA');
  const ids = [['Bridge-A-Unique-ID', a.uuid], ['Bridge-B-Unique-ID', b.uuid]] as const;
  b.fire('CHANNEL_OUTGOING', SITES.channelOutgoing, { variables: false });
  a.fire('CHANNEL_BRIDGE', SITES.channelBridge, { pre: ids });
  const first = await Promise.race([a.down.then(() => 'a' as const), b.down.then(() => 'b' as const)]);
  // Unless an attended transfer bridged the B leg elsewhere while the A leg was leaving.
  if (first === 'a' && b.other?.channel === a) b.hangup(a.hangupCause ?? 'NORMAL_CLEARING');
  const bCause = b.hangupCause ?? 'NORMAL_CLEARING';
  a.setVar('bridge_hangup_cause', bCause);
  a.setVar('last_bridge_hangup_cause', bCause);
  a.fire('CHANNEL_UNBRIDGE', SITES.channelUnbridge, { pre: ids });
  session.afterApp(() => b.release());
  if (first === 'b' && a.isUp && /^(true|yes|on|1)$/i.test(a.getVar('hangup_after_bridge') ?? '')) a.hangup(bCause);
  return '_none_';
}

/**
 * uuid_bridge: both channels leave what they were doing (park, an application) and are bridged; when one side
 * hangs up the other follows with the same cause. Answers the A side if neither leg is answered yet.
 */
export function uuidBridge(engine: CallEngine, a: Channel, b: Channel): string {
  if (!a.isUp || !b.isUp || a === b) return '-ERR Invalid uuid\n';
  const work = (async () => {
    a.hold();
    b.hold();
    try {
      if (!a.answered && !b.answered) a.answer();
      link(a, b);
      a.setState('CS_EXCHANGE_MEDIA');
      b.setState('CS_EXCHANGE_MEDIA');
      const ids = [['Bridge-A-Unique-ID', a.uuid], ['Bridge-B-Unique-ID', b.uuid]] as const;
      a.fire('CHANNEL_BRIDGE', SITES.channelBridge, { pre: ids });
      const first = await Promise.race([a.down.then(() => a), b.down.then(() => b)]);
      const other = first === a ? b : a;
      other.hangup(first.hangupCause ?? 'NORMAL_CLEARING');
      a.fire('CHANNEL_UNBRIDGE', SITES.channelUnbridge, { pre: ids });
    } finally {
      a.release();
      b.release();
    }
  })();
  engine.sessionFor(a).holdFor(work);
  engine.sessionFor(b).holdFor(work);
  return `+OK ${a.uuid}\n`;
}
