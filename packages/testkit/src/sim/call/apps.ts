import { SITES } from '../event-factory.js';
import { bridgeApp } from './bridge.js';
import { CONTROL_APPS, mediaMs } from './control-apps.js';
import { normaliseCause } from './hangup-causes.js';
import type { Session } from './session.js';

/** One dialplan/sendmsg application. Resolves to its Application-Response. */
export type AppImpl = (session: Session, arg: string) => Promise<string>;

const NONE = '_none_';

function splitAssignment(arg: string): [string, string] | undefined {
  const eq = arg.indexOf('=');
  if (eq <= 0) return undefined;
  return [arg.slice(0, eq).trim(), arg.slice(eq + 1)];
}

/** multiset/kz_multiset: `^^<sep>a=1<sep>b=2` or space separated `a=1 b=2`. */
function splitMulti(arg: string): string[] {
  if (arg.startsWith('^^') && arg.length > 2) return arg.slice(3).split(arg[2]!);
  return arg.split(/\s+/).filter((s) => s.length > 0);
}

const setVar: AppImpl = async (session, arg) => {
  const pair = splitAssignment(arg);
  if (pair) session.channel.setVar(pair[0], pair[1]);
  return NONE;
};

const exportVar: AppImpl = async (session, arg) => {
  const pair = splitAssignment(arg);
  if (!pair) return NONE;
  const [rawName, value] = pair;
  const local = !rawName.startsWith('nolocal:');
  const name = rawName.replace(/^nolocal:/, '');
  if (local) session.channel.setVar(name, value);
  session.exports.set(name, value);
  const list = new Set((session.channel.getVar('export_vars') ?? '').split(',').filter(Boolean));
  list.add(name);
  session.channel.setVar('export_vars', [...list].join(','));
  return NONE;
};

const multiset: AppImpl = async (session, arg) => {
  for (const item of splitMulti(arg)) await setVar(session, item);
  return NONE;
};

const unsetVar: AppImpl = async (session, arg) => {
  session.channel.setVar(arg.trim(), undefined);
  return NONE;
};

/** Milliseconds a simulated file plays: silence_stream://N, a `playback_ms` hint, or the node's default. */
function playbackMs(session: Session, file: string): number {
  const silence = /^silence_stream:\/\/(\d+)/.exec(file);
  if (silence) return Number(silence[1]);
  const tone = /^tone_stream:\/\/%\((\d+),(\d+)[^)]*\)(?:;loops=(\d+))?/.exec(file);
  if (tone) return (Number(tone[1]) + Number(tone[2])) * Number(tone[3] ?? 1);
  return mediaMs(session);
}

const playback: AppImpl = async (session, arg) => {
  const ch = session.channel;
  const type = /^([a-z_]+):\/\//.exec(arg)?.[1] ?? 'file';
  const post = [['Playback-File-Type', type], ['Playback-File-Path', arg]] as const;
  ch.fire('PLAYBACK_START', SITES.playbackStart, { post });
  const completed = await session.wait(playbackMs(session, arg));
  ch.setVar('playback_seconds', String(Math.floor(playbackMs(session, arg) / 1000)));
  ch.setVar('playback_ms', String(playbackMs(session, arg)));
  ch.fire('PLAYBACK_STOP', SITES.playbackStop, { post: [...post, ['Playback-Status', completed ? 'done' : 'break']] });
  return completed ? 'FILE PLAYED' : 'PLAYBACK ERROR';
};

const sleep: AppImpl = async (session, arg) => {
  await session.wait(Number.parseInt(arg, 10) || 0);
  return NONE;
};

const answer: AppImpl = async (session) => {
  session.channel.answer();
  return NONE;
};

const preAnswer: AppImpl = async (session) => {
  session.channel.preAnswer();
  return NONE;
};

const ringReady: AppImpl = async (session) => {
  session.channel.ringReady();
  return NONE;
};

const hangup: AppImpl = async (session, arg) => {
  session.channel.hangup(normaliseCause(arg || undefined));
  return NONE;
};

const park: AppImpl = async (session) => {
  const ch = session.channel;
  ch.fire('CHANNEL_PARK', SITES.channelPark);
  await session.parked();
  ch.fire('CHANNEL_UNPARK', SITES.channelUnpark);
  return NONE;
};

/** `respond <code> [reason]`: a final SIP status ends the call with the matching cause; 180/183 signal progress. */
const SIP_CAUSES: Record<number, string> = {
  403: 'CALL_REJECTED', 404: 'UNALLOCATED_NUMBER', 408: 'RECOVERY_ON_TIMER_EXPIRE', 480: 'NO_USER_RESPONSE',
  486: 'USER_BUSY', 487: 'ORIGINATOR_CANCEL', 488: 'INCOMPATIBLE_DESTINATION', 500: 'NORMAL_TEMPORARY_FAILURE',
  503: 'NORMAL_TEMPORARY_FAILURE', 600: 'USER_BUSY', 603: 'CALL_REJECTED', 604: 'NO_ROUTE_DESTINATION',
};

const respond: AppImpl = async (session, arg) => {
  const code = Number.parseInt(arg, 10);
  if (code === 180) session.channel.ringReady();
  else if (code === 183) session.channel.preAnswer();
  else if (code >= 200 && code < 300) session.channel.answer();
  else if (code >= 300) session.channel.hangup(SIP_CAUSES[code] ?? 'NORMAL_TEMPORARY_FAILURE');
  return NONE;
};

const log: AppImpl = async (session, arg) => {
  const [levelWord = 'INFO', ...words] = arg.split(' ');
  const levels = ['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];
  const found = levels.indexOf(levelWord.toUpperCase());
  session.engine.log({
    level: found >= 0 ? found : 6,
    file: 'mod_dptools.c',
    func: 'log_function',
    line: 1781,
    text: found >= 0 ? words.join(' ') : arg,
  });
  return NONE;
};

const bridge: AppImpl = (session, arg) => bridgeApp(session, arg);

/** Dialplan variables people write as if they were applications. */
const variableApp =
  (name: string): AppImpl =>
  async (session, arg) => {
    session.channel.setVar(name, arg || 'true');
    return NONE;
  };

export const APPS: Record<string, AppImpl> = {
  set: setVar,
  export: exportVar,
  multiset,
  kz_multiset: multiset,
  unset: unsetVar,
  answer,
  pre_answer: preAnswer,
  ring_ready: ringReady,
  playback,
  sleep,
  bridge,
  park,
  hangup,
  respond,
  log,
  ...CONTROL_APPS,
  continue_on_fail: variableApp('continue_on_fail'),
  hangup_after_bridge: variableApp('hangup_after_bridge'),
  info: async () => NONE,
};
