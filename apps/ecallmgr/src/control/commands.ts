import { randomBytes } from 'node:crypto';
import { CAV_PREFIX, CCV_PREFIX, prefixedVars } from '../domain/ccv.js';
import { dialString, stepsOfEndpoints, type DialContext, type Endpoint } from '../domain/dial-string.js';
import { dialValue, inertValue } from '../domain/escape.js';
import { respondData } from '../domain/dialplan.js';

/** One thing to do on FreeSWITCH for a Kazoo command. */
export type Step =
  /** `holdBleg`: the bridged peer hears hold music while the application runs (attended transfer). */
  | { kind: 'execute'; app: string; arg?: string; holdBleg?: boolean }
  /** An `api` command about the call; `{uuid}` is replaced by the call's uuid. */
  | { kind: 'api'; command: string }
  | { kind: 'hangup'; cause: string }
  /** Hangup with Other-Leg-Only: the bridged peer goes, this leg stays (and does not follow it). */
  | { kind: 'hangupOtherLeg'; cause: string }
  /** The command needs another channel on the same node (eavesdrop target). */
  | { kind: 'requireChannel'; uuid: string }
  /** Nothing runs on FreeSWITCH: a synthetic CHANNEL_EXECUTE_COMPLETE tells the whapp the queue got here. */
  | { kind: 'noop' };

export type Plan = { ok: true; steps: Step[] } | { ok: false; reason: string };

type Command = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const isTrue = (v: unknown): boolean => v === true || v === 'true';
const CAUSE = /^[A-Z_]{2,64}$/;
/** Extensions and numbers a transfer may route to, and dialplan contexts. */
const EXTENSION = /^[A-Za-z0-9_*#+\-.]{1,64}$/;
const CONTEXT = /^[A-Za-z0-9_\-]{1,64}$/;
const UUID_LIKE = /^[A-Za-z0-9\-]{1,64}$/;
/** Local file paths for recordings and faxes: no spaces (arguments are space separated), no `..`. */
const LOCAL_PATH = /^(?!.*\.\.)[A-Za-z0-9_\-./]{1,255}$/;
/** `set <name>=<value>` on the channel; the value must already be safe. */
const set = (assignment: string): Step => ({ kind: 'execute', app: 'set', arg: assignment });
const int = (v: unknown, max: number): string | undefined => {
  const t = str(v);
  return t && /^\d{1,7}$/.test(t) && Number(t) <= max ? t : undefined;
};

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

/** DTMF keys that end a playback or recording (`none` when no valid key is given). */
function terminatorsOf(cmd: Command): string {
  const keys = Array.isArray(cmd.Terminators) ? cmd.Terminators.filter((t): t is string => typeof t === 'string' && /^[0-9*#]$/.test(t)).join('') : '';
  return keys || 'none';
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
  const terminators = terminatorsOf(cmd);
  const media = mediaArg(str(cmd['Media-Name']));
  const failed = mediaArg(str(cmd['Failed-Media-Name'])) ?? 'silence_stream://250';
  const regex = str(cmd['Digits-Regex']);
  if (!min || !max || !tries || !timeout || !media || /\s/.test(media + failed) || !regex || /[\s$]/.test(regex)) return undefined;
  return {
    kind: 'execute',
    app: 'play_and_get_digits',
    arg: `${min} ${max} ${tries} ${timeout} ${terminators} ${media} ${failed} ${COLLECTED_DIGITS_VAR} ${regex}`,
  };
}

/** Variables of a `set` command: CCVs as ecallmgr_K and CAVs as cav_K on the channel, call vars exported to later legs. */
function setSteps(cmd: Command): Step[] {
  const vars = [
    ...prefixedVars(CCV_PREFIX, cmd['Custom-Channel-Vars'] as Record<string, unknown> | undefined),
    ...prefixedVars(CAV_PREFIX, cmd['Custom-Application-Vars'] as Record<string, unknown> | undefined),
  ].map(([n, v]) => set(`${n}=${inertValue(v)}`));
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
  if (isTrue(cmd['Ignore-Early-Media'])) globals.set('ignore_early_media', 'true');
  if (cmd['Continue-On-Fail'] !== undefined) globals.set('continue_on_fail', dialValue(String(cmd['Continue-On-Fail'])));
  const name = str(cmd['Outbound-Caller-ID-Name']) ?? str(cmd['Caller-ID-Name']);
  const number = str(cmd['Outbound-Caller-ID-Number']) ?? str(cmd['Caller-ID-Number']);
  if (name) globals.set('origination_caller_id_name', dialValue(name));
  if (number) globals.set('origination_caller_id_number', dialValue(number));
  const dial = dialString(groups, ctx, globals);
  return dial ? { kind: 'execute', app: 'bridge', arg: dial } : undefined;
}

/**
 * transfer: `blind` routes this leg (Transfer-Leg `bleg`: its peer, `both`: both) to Transfer-To in the
 * context, through mod_dptools' transfer; `attended` makes this leg (the transferor, bridged to the
 * transferee) call Transfer-To through a loopback leg with att_xfer while the transferee hears hold music.
 */
function transferPlan(cmd: Command, ctx: DialContext): Plan {
  const to = str(cmd['Transfer-To']);
  const context = str(cmd['Transfer-Context']) ?? ctx.context;
  if (!to || !EXTENSION.test(to) || !CONTEXT.test(context)) return { ok: false, reason: 'Transfer-To or Transfer-Context is invalid' };
  if (cmd['Transfer-Type'] === 'blind') {
    const leg = cmd['Transfer-Leg'] === 'bleg' ? '-bleg ' : cmd['Transfer-Leg'] === 'both' ? '-both ' : '';
    return { ok: true, steps: [{ kind: 'execute', app: 'transfer', arg: `${leg}${to} XML ${context}` }] };
  }
  if (cmd['Transfer-Type'] !== 'attended') return { ok: false, reason: 'Transfer-Type must be blind or attended' };
  const vars = new Map<string, string>([
    ['ignore_early_media', 'ring_ready'],
    ['origination_callee_id_name', to],
    ['origination_callee_id_number', to],
  ]);
  const name = str(cmd['Caller-ID-Name']);
  const number = str(cmd['Caller-ID-Number']);
  if (name) vars.set('origination_caller_id_name', dialValue(name));
  if (number) vars.set('origination_caller_id_number', dialValue(number));
  const timeout = int(cmd.Timeout, 3600);
  if (timeout) vars.set('call_timeout', timeout).set('originate_timeout', timeout);
  // The new leg is billed and authorised like the transferor (as Kazoo does): only these CCVs travel.
  const ccvs = (cmd['Custom-Channel-Vars'] ?? {}) as Record<string, unknown>;
  for (const key of ['Account-ID', 'Authorizing-ID', 'Authorizing-Type', 'Channel-Authorized']) {
    const value = str(ccvs[key]);
    if (value) vars.set(`${CCV_PREFIX}${key}`, dialValue(value));
  }
  const block = [...vars].map(([k, v]) => `${k}=${v}`).join(',');
  return { ok: true, steps: [{ kind: 'execute', app: 'att_xfer', arg: `{${block}}loopback/${to}/${context}`, holdBleg: true }] };
}

/**
 * page: every endpoint is called into a fresh conference with the intercom headers (auto-answer), one-way
 * unless Page-Options.Two-Way-Audio; the page ends when the pager hangs up.
 */
function pagePlan(cmd: Command, ctx: DialContext): Plan {
  const endpoints = Array.isArray(cmd.Endpoints) ? (cmd.Endpoints as Endpoint[]) : [];
  const intercom = new Map([['sip_invite_params', 'intercom=true'], ['alert_info', 'intercom']]);
  const legs = endpoints.map((ep) => dialString([[ep]], ctx, intercom)).filter((d): d is string => d !== undefined);
  if (legs.length === 0) return { ok: false, reason: 'no endpoint can be paged' };
  const room = `page_${randomBytes(4).toString('hex')}`;
  const steps: Step[] = [set(`api_hangup_hook=conference ${room} kick all`), set(`conference_auto_outcall_timeout=${int(cmd.Timeout, 600) ?? '5'}`)];
  const name = str(cmd['Caller-ID-Name']);
  const number = str(cmd['Caller-ID-Number']);
  if (name) steps.push(set(`conference_auto_outcall_caller_id_name=${inertValue(name)}`));
  if (number) steps.push(set(`conference_auto_outcall_caller_id_number=${inertValue(number)}`));
  const options = (cmd['Page-Options'] ?? {}) as Record<string, unknown>;
  if (!isTrue(options['Two-Way-Audio'])) steps.push(set('conference_auto_outcall_flags=mute'));
  for (const leg of legs) steps.push({ kind: 'execute', app: 'conference_set_auto_outcall', arg: leg });
  steps.push({ kind: 'execute', app: 'conference', arg: `${room}@default` });
  return { ok: true, steps };
}

/** eavesdrop: listen to Target-Call-ID, which must be a live channel on this call's node. */
function eavesdropPlan(cmd: Command): Plan {
  const target = str(cmd['Target-Call-ID']);
  if (!target || !UUID_LIKE.test(target)) return { ok: false, reason: 'Target-Call-ID is invalid' };
  if (target === str(cmd['Call-ID'])) return { ok: false, reason: 'a call cannot eavesdrop on itself' };
  const steps: Step[] = [{ kind: 'requireChannel', uuid: target }];
  if (cmd['Enable-DTMF'] !== undefined) steps.push(set(`eavesdrop_enable_dtmf=${isTrue(cmd['Enable-DTMF'])}`));
  steps.push({ kind: 'execute', app: 'eavesdrop', arg: target });
  return { ok: true, steps };
}

/** receive_fax: rxfax into Fax-Local-Filename (or a file named after the call), T.38 as asked. */
function receiveFaxPlan(cmd: Command): Plan {
  const callId = str(cmd['Call-ID']) ?? '';
  const file = str(cmd['Fax-Local-Filename']) ?? `/tmp/fax-${callId}.tiff`;
  if (!LOCAL_PATH.test(file)) return { ok: false, reason: 'Fax-Local-Filename is invalid' };
  const steps: Step[] = [];
  if (isTrue(cmd['Enable-T38-Fax'])) steps.push(set('fax_enable_t38=true'));
  if (isTrue(cmd['Enable-T38-Fax-Request'])) steps.push(set('fax_enable_t38_request=true'));
  if (isTrue(cmd['Enable-T38-Passthrough'])) steps.push(set('t38_passthru=true'));
  steps.push({ kind: 'execute', app: 'rxfax', arg: file });
  return { ok: true, steps };
}

/** Recording names: local paths only (uploading is the store command's job). */
function recordingPath(cmd: Command): string | undefined {
  const name = str(cmd['Media-Name']);
  return name && LOCAL_PATH.test(name) ? name : undefined;
}

/** record: record the caller into a file until silence, a terminator or the time limit (defaults as Kazoo). */
function recordPlan(cmd: Command): Plan {
  const file = recordingPath(cmd);
  if (!file) return { ok: false, reason: 'Media-Name must be a local path' };
  const terminators = terminatorsOf(cmd);
  const limit = int(cmd['Time-Limit'], 86_400) ?? '20';
  const threshold = int(cmd['Silence-Threshold'], 100_000) ?? '500';
  const hits = int(cmd['Silence-Hits'], 1000) ?? '5';
  return {
    ok: true,
    steps: [
      set(`playback_terminators=${terminators}`),
      { kind: 'execute', app: 'record', arg: `${file} ${limit} ${threshold} ${hits}` },
    ],
  };
}

/** record_call: the whole call (both legs) in the background with record_session, stopped by name or `all`. */
function recordCallPlan(cmd: Command): Plan {
  const action = str(cmd['Record-Action']);
  const file = recordingPath(cmd);
  if (action === 'start' && file) {
    const limit = int(cmd['Time-Limit'], 86_400);
    return { ok: true, steps: [{ kind: 'execute', app: 'record_session', arg: limit && limit !== '0' ? `${file} +${limit}` : file }] };
  }
  if (action === 'stop') return { ok: true, steps: [{ kind: 'execute', app: 'stop_record_session', arg: file ?? 'all' }] };
  return { ok: false, reason: 'Record-Action or Media-Name is invalid' };
}

/** soft_hold: the peer hears B-MOH (default music on hold), this leg A-MOH (silence) until it presses Unhold-Key. */
function softHoldPlan(cmd: Command): Plan {
  const key = str(cmd['Unhold-Key']);
  const a = mediaArg(str(cmd['A-MOH'])) ?? 'silence_stream://-1';
  const b = mediaArg(str(cmd['B-MOH'])) ?? 'local_stream://moh';
  if (!key || !/^[0-9*#]$/.test(key) || /\s/.test(a + b)) return { ok: false, reason: 'Unhold-Key, A-MOH or B-MOH is invalid' };
  return { ok: true, steps: [{ kind: 'execute', app: 'soft_hold', arg: `${key} ${a} ${b}` }] };
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
      const given = str(cmd['Hangup-Cause']);
      const cause = given && CAUSE.test(given) ? given : 'NORMAL_CLEARING';
      return one(isTrue(cmd['Other-Leg-Only']) ? { kind: 'hangupOtherLeg', cause } : { kind: 'hangup', cause }, '');
    }
    case 'transfer':
      return transferPlan(cmd, ctx);
    case 'page':
      return pagePlan(cmd, ctx);
    case 'eavesdrop':
      return eavesdropPlan(cmd);
    case 'receive_fax':
      return receiveFaxPlan(cmd);
    case 'record':
      return recordPlan(cmd);
    case 'soft_hold':
      return softHoldPlan(cmd);
    case 'hold_control': {
      // uuid_hold puts the call on hold towards the phone (re-INVITE); CHANNEL_HOLD / CHANNEL_UNHOLD follow.
      const mode = { hold: '', unhold: 'off ', toggle: 'toggle ' }[String(cmd.Action)];
      return one(mode === undefined ? undefined : { kind: 'api', command: `uuid_hold ${mode}{uuid}` }, 'Action must be hold, unhold or toggle');
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
      const flags = (['Mute', 'Deaf', 'Moderator'] as const).filter((f) => isTrue(cmd[f])).map((f) => f.toLowerCase());
      return one({ kind: 'execute', app: 'conference', arg: `${room}@${profile}${flags.length ? `+flags{${flags.join('|')}}` : ''}` }, '');
    }
    case 'record_call':
      return recordCallPlan(cmd);
    default:
      return { ok: false, reason: `${app || '(none)'} is not supported by this ecallmgr` };
  }
}
