import { CAV_PREFIX, CCV_PREFIX, prefixedVars } from '../domain/ccv.js';
import { dialString, stepsOfEndpoints, type DialContext, type Endpoint } from '../domain/dial-string.js';
import { dialValue, inertValue } from '../domain/escape.js';
import { respondData } from '../domain/dialplan.js';

/** One thing to do on FreeSWITCH for a Kazoo command. */
export type Step =
  | { kind: 'execute'; app: string; arg?: string }
  /** An `api` command about the call (`uuid_record <uuid> ...`); `{uuid}` is replaced by the call's uuid. */
  | { kind: 'api'; command: string }
  | { kind: 'hangup'; cause: string }
  /** Nothing runs on FreeSWITCH: a synthetic CHANNEL_EXECUTE_COMPLETE tells the whapp the queue got here. */
  | { kind: 'noop' };

export type Plan = { ok: true; steps: Step[] } | { ok: false; reason: string };

type Command = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const CAUSE = /^[A-Z_]{2,64}$/;

/** Media references FreeSWITCH can play: local paths, tone/silence streams, http(s) through http_cache. */
function mediaArg(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const clean = inertValue(name).trim();
  if (clean === '') return undefined;
  if (/^https?:\/\//i.test(clean)) return `http_cache://${clean}`;
  return clean;
}

function tonesArg(tones: unknown): string | undefined {
  if (!Array.isArray(tones) || tones.length === 0) return undefined;
  const parts: string[] = [];
  for (const t of tones as Array<Record<string, unknown>>) {
    const freqs = Array.isArray(t.Frequencies) ? t.Frequencies.map(Number).filter((f) => Number.isInteger(f) && f > 0 && f < 20000) : [];
    const on = Number(t['Duration-ON']);
    const off = Number(t['Duration-OFF']);
    if (freqs.length === 0 || !Number.isInteger(on) || !Number.isInteger(off)) return undefined;
    const repeat = Number(t.Repeat);
    const loops = Number.isInteger(repeat) && repeat > 0 ? `;loops=${repeat}` : '';
    parts.push(`%(${on},${off},${freqs.join(',')})${loops}`);
  }
  return `tone_stream://${parts.join(';')}`;
}

/** Where play_and_collect_digits leaves the digits; CHANNEL_EXECUTE_COMPLETE reports them as Application-Response. */
export const COLLECTED_DIGITS_VAR = 'fife_collected_digits';

/** `play_and_get_digits min max tries timeout terminators file invalid_file var regex`, every part checked. */
function collectStep(cmd: Command): Step | undefined {
  const n = (v: unknown) => {
    const t = str(v);
    return t && /^\d{1,6}$/.test(t) ? t : undefined;
  };
  const [min, max, tries, timeout] = [n(cmd['Minimum-Digits']), n(cmd['Maximum-Digits']), n(cmd['Media-Tries']), n(cmd.Timeout)];
  const terminators = Array.isArray(cmd.Terminators) ? cmd.Terminators.filter((t): t is string => typeof t === 'string' && /^[0-9*#]$/.test(t)).join('') : '';
  const media = mediaArg(str(cmd['Media-Name']));
  const failed = mediaArg(str(cmd['Failed-Media-Name'])) ?? 'silence_stream://250';
  const regex = str(cmd['Digits-Regex']);
  if (!min || !max || !tries || !timeout || !media || /\s/.test(media + failed) || !regex || /[\s$]/.test(regex)) return undefined;
  return {
    kind: 'execute',
    app: 'play_and_get_digits',
    arg: `${min} ${max} ${tries} ${timeout} ${terminators || 'none'} ${media} ${failed} ${COLLECTED_DIGITS_VAR} ${regex}`,
  };
}

/** Variables of a `set` command: CCVs as ecallmgr_K and CAVs as cav_K on the channel, call vars exported to later legs. */
function setSteps(cmd: Command): Step[] {
  const vars = [
    ...prefixedVars(CCV_PREFIX, cmd['Custom-Channel-Vars'] as Record<string, unknown> | undefined),
    ...prefixedVars(CAV_PREFIX, cmd['Custom-Application-Vars'] as Record<string, unknown> | undefined),
  ].map(([n, v]): Step => ({ kind: 'execute', app: 'set', arg: `${n}=${inertValue(v)}` }));
  const exported = prefixedVars(CCV_PREFIX, cmd['Custom-Call-Vars'] as Record<string, unknown> | undefined).map(
    ([n, v]): Step => ({ kind: 'execute', app: 'export', arg: `${n}=${inertValue(v)}` }),
  );
  return [...vars, ...exported];
}

function bridgeStep(cmd: Command, ctx: DialContext): Step | undefined {
  const endpoints = Array.isArray(cmd.Endpoints) ? (cmd.Endpoints as Endpoint[]) : [];
  const groups = cmd['Dial-Endpoint-Method'] === 'simultaneous' ? [endpoints] : stepsOfEndpoints(endpoints);
  const globals = new Map<string, string>();
  const timeout = str(cmd.Timeout);
  if (timeout && /^\d{1,5}$/.test(timeout)) globals.set('call_timeout', timeout).set('originate_timeout', timeout);
  if (cmd['Ignore-Early-Media'] === true || cmd['Ignore-Early-Media'] === 'true') globals.set('ignore_early_media', 'true');
  if (cmd['Continue-On-Fail'] !== undefined) globals.set('continue_on_fail', dialValue(String(cmd['Continue-On-Fail'])));
  const name = str(cmd['Outbound-Caller-ID-Name']) ?? str(cmd['Caller-ID-Name']);
  const number = str(cmd['Outbound-Caller-ID-Number']) ?? str(cmd['Caller-ID-Number']);
  if (name) globals.set('origination_caller_id_name', dialValue(name));
  if (number) globals.set('origination_caller_id_number', dialValue(number));
  const dial = dialString(groups, ctx, globals);
  return dial ? { kind: 'execute', app: 'bridge', arg: dial } : undefined;
}

/**
 * The FreeSWITCH steps of one Kazoo call command (kazoo-wire §5.2), or why it cannot run. Every value
 * that ends up in application data is made inert (no `${}` expansion) or refused.
 */
export function planCommand(cmd: Command, ctx: DialContext): Plan {
  const app = str(cmd['Application-Name']) ?? '';
  const one = (step: Step | undefined, reason: string): Plan => (step ? { ok: true, steps: [step] } : { ok: false, reason });
  switch (app) {
    case 'answer':
      return one({ kind: 'execute', app: 'answer' }, '');
    case 'progress':
      return one({ kind: 'execute', app: 'pre_answer' }, '');
    case 'ring':
      return one({ kind: 'execute', app: 'ring_ready' }, '');
    case 'park':
      return one({ kind: 'execute', app: 'park' }, '');
    case 'hangup': {
      const cause = str(cmd['Hangup-Cause']);
      return one({ kind: 'hangup', cause: cause && CAUSE.test(cause) ? cause : 'NORMAL_CLEARING' }, '');
    }
    case 'play': {
      const media = mediaArg(str(cmd['Media-Name']));
      return one(media ? { kind: 'execute', app: 'playback', arg: media } : undefined, 'Media-Name is not playable');
    }
    case 'tones': {
      const arg = tonesArg(cmd.Tones);
      return one(arg ? { kind: 'execute', app: 'playback', arg } : undefined, 'Tones are invalid');
    }
    case 'tts': {
      const text = str(cmd.Text);
      const engine = str(cmd.Engine) ?? 'flite';
      const voice = str(cmd.Voice) ?? 'slt';
      const safe = (v: string) => /^[A-Za-z0-9_\-]+$/.test(v);
      if (!text || !safe(engine) || !safe(voice)) return { ok: false, reason: 'Text, Engine or Voice is invalid' };
      return one({ kind: 'execute', app: 'speak', arg: `${engine}|${voice}|${inertValue(text).replace(/\|/g, ' ')}` }, '');
    }
    case 'sleep': {
      const time = str(cmd.Time);
      return one(time && /^\d{1,7}$/.test(time) ? { kind: 'execute', app: 'sleep', arg: time } : undefined, 'Time is invalid');
    }
    case 'respond':
      return one({ kind: 'execute', app: 'respond', arg: respondData(str(cmd['Response-Code']), str(cmd['Response-Message'])) }, '');
    case 'send_dtmf': {
      const digits = str(cmd.DTMFs);
      return one(digits && /^[0-9A-Da-d*#wW]{1,64}$/.test(digits) ? { kind: 'execute', app: 'send_dtmf', arg: digits } : undefined, 'DTMFs are invalid');
    }
    case 'set': {
      const steps = setSteps(cmd);
      return { ok: true, steps: steps.length > 0 ? steps : [{ kind: 'noop' }] };
    }
    case 'bridge':
      return one(bridgeStep(cmd, ctx), 'no endpoint can be dialled');
    case 'noop':
      return { ok: true, steps: [{ kind: 'noop' }] };
    case 'play_and_collect_digits':
      return one(collectStep(cmd), 'digit collection fields are invalid');
    case 'say': {
      const parts = [str(cmd.Language), str(cmd.Type), str(cmd.Method)];
      const text = str(cmd['Say-Text']);
      if (parts.some((p) => !p || !/^[A-Za-z0-9_\-]+$/.test(p)) || !text) return { ok: false, reason: 'Language, Type, Method or Say-Text is invalid' };
      return one({ kind: 'execute', app: 'say', arg: `${parts.join(' ')} ${inertValue(text)}` }, '');
    }
    case 'hold': {
      const media = mediaArg(str(cmd['Hold-Media'])) ?? 'local_stream://moh';
      return one({ kind: 'execute', app: 'endless_playback', arg: media }, '');
    }
    case 'execute_extension': {
      const ext = str(cmd.Extension);
      return one(ext && /^[A-Za-z0-9_*#+\-]{1,64}$/.test(ext) ? { kind: 'execute', app: 'execute_extension', arg: `${ext} XML ${ctx.context}` } : undefined, 'Extension is invalid');
    }
    case 'conference': {
      const room = str(cmd['Conference-ID']);
      const profile = str(cmd.Profile) ?? 'default';
      if (!room || !/^[A-Za-z0-9_.\-]{1,64}$/.test(room) || !/^[A-Za-z0-9_\-]+$/.test(profile)) return { ok: false, reason: 'Conference-ID or Profile is invalid' };
      const flags = (['Mute', 'Deaf', 'Moderator'] as const).filter((f) => cmd[f] === true || cmd[f] === 'true').map((f) => f.toLowerCase());
      return one({ kind: 'execute', app: 'conference', arg: `${room}@${profile}${flags.length ? `+flags{${flags.join('|')}}` : ''}` }, '');
    }
    case 'record_call': {
      const action = str(cmd['Record-Action']);
      const media = mediaArg(str(cmd['Media-Name']));
      if (action === 'start' && media && !/\s/.test(media)) {
        const limit = str(cmd['Time-Limit']);
        return one({ kind: 'api', command: `uuid_record {uuid} start ${media}${limit && /^\d{1,6}$/.test(limit) ? ` ${limit}` : ''}` }, '');
      }
      if (action === 'stop') return one({ kind: 'api', command: `uuid_record {uuid} stop ${media && !/\s/.test(media) ? media : 'all'}` }, '');
      return { ok: false, reason: 'Record-Action or Media-Name is invalid' };
    }
    default:
      return { ok: false, reason: `${app || '(none)'} is not supported by this ecallmgr` };
  }
}
