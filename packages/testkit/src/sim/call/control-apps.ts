import { SITES } from '../event-factory.js';
import type { AppImpl } from './apps.js';
import { uuidBridge } from './bridge.js';
import type { Channel } from './channel.js';
import { originate } from './originate.js';
import type { Session } from './session.js';

/**
 * The mod_dptools / mod_conference / mod_spandsp applications a call-control client drives over sendmsg
 * (transfer, attended transfer, recording, eavesdrop, soft hold, paging, fax). Media is not simulated: an
 * application that would stream or record lasts its time (`sim_playback_ms` or the node's playback length).
 */

const NONE = '_none_';

/** Milliseconds simulated media lasts: the channel's `sim_playback_ms` hint, or the node's default. */
export function mediaMs(session: Session): number {
  const hinted = Number.parseInt(session.channel.getVar('sim_playback_ms') ?? '', 10);
  return Number.isFinite(hinted) ? hinted : session.engine.playbackMs;
}

/** The channel bridged to this one, if any. */
function peerOf(channel: Channel): Channel | undefined {
  const other = channel.other?.channel;
  return other?.isUp ? other : undefined;
}

/** `transfer [-bleg|-both] <dest> [dialplan] [context]`: route this leg (or its peer, or both) again. */
export const transfer: AppImpl = async (session, arg) => {
  const words = arg.trim().split(/\s+/);
  const leg = words[0] === '-bleg' || words[0] === '-both' ? words.shift() : undefined;
  const [dest = '', , context] = words;
  const peer = peerOf(session.channel);
  if (leg !== '-bleg') session.requestTransfer(dest, context);
  if (leg && peer) session.engine.sessionFor(peer).requestTransfer(dest, context);
  return NONE;
};

/**
 * `att_xfer <dial string>` on the transferor, bridged to the transferee: the transferor talks to the new leg;
 * when the transferor hangs up, the transferee and the new leg are bridged; when the new leg ends first,
 * the transferor is back with the transferee.
 */
export const attXfer: AppImpl = async (session, arg) => {
  const transferor = session.channel;
  const transferee = peerOf(transferor);
  const result = await originate(session.engine, { dial: arg, caller: transferor, rootCall: transferor.rootCall });
  if (!result.ok) {
    transferor.setVar('att_xfer_result', 'failure');
    transferor.setVar('last_bridge_hangup_cause', result.cause);
    return NONE;
  }
  const target = result.leg;
  target.hold();
  transferor.setVar('att_xfer_result', 'success');
  const ids = [['Bridge-A-Unique-ID', transferor.uuid], ['Bridge-B-Unique-ID', target.uuid]] as const;
  transferor.fire('CHANNEL_BRIDGE', SITES.channelBridge, { pre: ids });
  // Synchronous with the transferor's hangup, so the original bridge sees the transferee taken over.
  transferor.onHangup(() => {
    if (!target.isUp) return;
    if (transferee?.isUp) uuidBridge(session.engine, transferee, target);
    else target.hangup('NORMAL_CLEARING');
  });
  await Promise.race([transferor.down, target.down]);
  transferor.fire('CHANNEL_UNBRIDGE', SITES.channelUnbridge, { pre: ids });
  session.afterApp(() => target.release());
  return NONE;
};

/** `record <path> [<time limit s>] [<silence threshold>] [<silence hits>]`: records until the limit or a hangup. */
export const record: AppImpl = async (session, arg) => {
  const [path = '', limit] = arg.trim().split(/\s+/);
  const ch = session.channel;
  const limitMs = Number.parseInt(limit ?? '', 10) > 0 ? Number.parseInt(limit!, 10) * 1000 : Infinity;
  const post = [['Record-File-Path', path]] as const;
  ch.fire('RECORD_START', SITES.recordFile, { post });
  const started = session.engine.clock.now();
  const completed = await session.wait(Math.min(limitMs, mediaMs(session)));
  const ms = session.engine.clock.now() - started;
  ch.setVar('record_ms', String(ms));
  ch.setVar('record_seconds', String(Math.floor(ms / 1000)));
  ch.fire('RECORD_STOP', SITES.recordFile, { post: [...post, ['Record-Completion-Cause', completed ? 'success-maxtime' : 'hangup']] });
  return completed ? 'success' : NONE;
};

/** `record_session <path> [+<limit s>]`: a media bug that records in the background, until stop_record_session or hangup. */
export const recordSession: AppImpl = async (session, arg) => {
  const path = arg.trim().split(/\s+/)[0] ?? '';
  const ch = session.channel;
  const recordings = session.recordings;
  if (recordings.has(path)) return NONE;
  recordings.add(path);
  ch.fire('RECORD_START', SITES.recordSession, { post: [['Record-File-Path', path]] });
  ch.onHangup(() => void stopRecording(session, path));
  return NONE;
};

function stopRecording(session: Session, path: string): boolean {
  if (!session.recordings.delete(path)) return false;
  session.channel.fire('RECORD_STOP', SITES.recordSession, { post: [['Record-File-Path', path]] });
  return true;
}

/** `stop_record_session <path|all>` */
export const stopRecordSession: AppImpl = async (session, arg) => {
  const path = arg.trim();
  const paths = path === 'all' ? [...session.recordings] : [path];
  for (const p of paths) stopRecording(session, p);
  return NONE;
};

/** `eavesdrop <uuid>`: listens until either side hangs up. */
export const eavesdrop: AppImpl = async (session, arg) => {
  const target = session.engine.channels.get(arg.trim());
  if (!target?.isUp) return NONE;
  if (!session.channel.answered) session.channel.answer();
  await Promise.race([session.channel.down, target.down]);
  return NONE;
};

/**
 * `soft_hold <unhold key> [<moh a>] [<moh b>]`: the peer hears music until the holder presses the unhold key;
 * the simulator has no keypad on that side, so the hold lasts the node's media time.
 */
export const softHold: AppImpl = async (session) => {
  await session.wait(mediaMs(session));
  return NONE;
};

/** `rxfax <file>`: answers, takes the fax's time, and leaves the fax_* result variables behind. */
export const rxfax: AppImpl = async (session, arg) => {
  const ch = session.channel;
  if (!ch.answered) ch.answer();
  const completed = await session.wait(mediaMs(session));
  ch.setVar('fax_filename', arg.trim());
  ch.setVar('fax_success', completed ? '1' : '0');
  ch.setVar('fax_result_code', completed ? '0' : '2');
  ch.setVar('fax_result_text', completed ? 'OK' : 'Disconnected after permitted retries');
  ch.setVar('fax_document_transferred_pages', completed ? '1' : '0');
  return NONE;
};

/** `conference_set_auto_outcall <dial string>`: one more leg to call when this channel enters a conference. */
export const setAutoOutcall: AppImpl = async (session, arg) => {
  session.autoOutcalls.push(arg.trim());
  return NONE;
};

/**
 * `conference <name>@<profile>[+flags{...}]`: the channel sits in the room until it hangs up; the auto-outcall
 * legs (paging) are called, answered legs join, and all of them are hung up when the channel leaves.
 */
export const conference: AppImpl = async (session) => {
  const ch = session.channel;
  if (!ch.answered) ch.answer();
  const members: Channel[] = [];
  const dials = session.autoOutcalls.splice(0);
  for (const dial of dials) {
    void originate(session.engine, { dial, caller: ch, rootCall: ch.rootCall }).then((r) => {
      if (!r.ok) return;
      if (!ch.isUp) return r.leg.hangup('NORMAL_CLEARING');
      members.push(r.leg);
    });
  }
  await ch.down;
  for (const m of members) m.hangup('NORMAL_CLEARING');
  return NONE;
};

export const CONTROL_APPS: Record<string, AppImpl> = {
  transfer,
  att_xfer: attXfer,
  record,
  record_session: recordSession,
  stop_record_session: stopRecordSession,
  eavesdrop,
  soft_hold: softHold,
  rxfax,
  conference_set_auto_outcall: setAutoOutcall,
  conference,
};
