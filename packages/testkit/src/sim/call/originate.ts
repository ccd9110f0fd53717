import type { Clock, TimerHandle } from '../clock.js';
import { type Channel, passCalleeId } from './channel.js';
import { type DialLeg, type DialPart, type DialString, parseDialString, type VarMap } from './dial-string.js';
import { type RingAttempt, type RingLog, secondsSince } from './ring-log.js';

/** A resolved dial-string leg, ready to ring when its start time comes. */
export interface LegTarget {
  endpoint: string | undefined;
  /** Creates the outbound channel and starts the far end's behaviour. */
  start(context: LegStartContext): Channel;
}

export interface LegStartContext {
  caller: Channel | undefined;
  vars: VarMap;
  rootCall: string;
}

/**
 * `alternates`: further contacts of the same endpoint (a user/ leg of a user with several registrations). They ring
 * alongside the first one when the leg is the only one of its originate; inside a forked dial only the first rings.
 */
export type Resolution =
  | { ok: true; target: LegTarget; vars: VarMap; alternates?: Array<{ target: LegTarget; vars: VarMap }> }
  | { ok: false; cause: string };

/** `freeswitch`: whole epoch seconds compared with `>` (a leg planned at s starts in (s, s+1]); `exact`: at s. */
export type TimerGranularity = 'freeswitch' | 'exact';

export interface OriginateHost {
  readonly clock: Clock;
  readonly granularity: TimerGranularity;
  resolve(target: string, vars: VarMap, caller: Channel | undefined): Promise<Resolution>;
  ringLog(callId: string): RingLog | undefined;
}

export interface OriginateRequest {
  dial: string | DialString;
  caller: Channel | undefined;
  rootCall: string;
  /** Variables that apply to every leg before the dial string's own ({origination_*} from the API, ...). */
  baseVars?: VarMap;
}

export type OriginateResult = { ok: true; leg: Channel } | { ok: false; cause: string; timedOut: boolean };

interface Cancellable {
  cancel(cause: string): void;
}

const intVar = (value: string | undefined): number => {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
};
const truthy = (value: string | undefined): boolean => /^(true|yes|on|1|enabled|active|allow)$/i.test(value ?? '');

/**
 * switch_ivr_originate / switch_ivr_enterprise_originate: enterprise parts race, `|` groups fail over, `,` legs
 * ring together with leg_delay_start, leg_timeout, the fast-forward of delayed legs and the originate timeout.
 */
export async function originate(host: OriginateHost, request: OriginateRequest): Promise<OriginateResult> {
  const dial = typeof request.dial === 'string' ? parseDialString(request.dial) : request.dial;
  if (dial.parts.length === 0) return { ok: false, cause: 'DESTINATION_OUT_OF_ORDER', timedOut: false };
  if (dial.parts.length === 1) return runPart(host, request, dial.parts[0]!, { ...request.baseVars, ...dial.vars }, []);
  return enterprise(host, request, dial);
}

async function enterprise(host: OriginateHost, request: OriginateRequest, dial: DialString): Promise<OriginateResult> {
  const registries: Cancellable[][] = dial.parts.map(() => []);
  let winner: Channel | undefined;
  const runs = dial.parts.map((part, index) => {
    const vars = { ...request.baseVars, ...dial.vars, ignore_early_media: 'true' };
    return runPart(host, request, part, vars, registries[index]!).then((result) => {
      if (result.ok && !winner) {
        winner = result.leg;
        registries.forEach((reg, i) => i !== index && reg.forEach((c) => c.cancel('LOSE_RACE')));
      } else if (result.ok && winner !== result.leg) {
        result.leg.hangup('LOSE_RACE');
      }
      return result;
    });
  });
  const results = await Promise.all(runs);
  if (winner) return { ok: true, leg: winner };
  const first = results.find((r): r is Extract<OriginateResult, { ok: false }> => !r.ok);
  return first ?? { ok: false, cause: 'NORMAL_TEMPORARY_FAILURE', timedOut: false };
}

async function runPart(
  host: OriginateHost,
  request: OriginateRequest,
  part: DialPart,
  outerVars: VarMap,
  registry: Cancellable[],
): Promise<OriginateResult> {
  const vars = { ...outerVars, ...part.vars };
  const delayMs = intVar(vars['originate_delay_start']);
  if (delayMs > 0) await host.clock.sleep(delayMs);
  let last: OriginateResult = { ok: false, cause: 'DESTINATION_OUT_OF_ORDER', timedOut: false };
  for (const legs of part.groups) {
    if (request.caller && !request.caller.isUp) return { ok: false, cause: 'ORIGINATOR_CANCEL', timedOut: false };
    const forked = part.groups.length > 1 || legs.length > 1;
    const group = new GroupRun(host, request, legs, vars, forked);
    registry.push(group);
    last = await group.run();
    if (last.ok) return last;
    if (last.cause === 'ORIGINATOR_CANCEL' || last.cause === 'LOSE_RACE') return last;
    if (last.timedOut && !truthy(vars['originate_continue_on_timeout'])) return last;
  }
  return last;
}

type LegState = 'resolving' | 'delayed' | 'active' | 'done';

interface LegRun {
  spec: DialLeg;
  state: LegState;
  vars: VarMap;
  target: LegTarget | undefined;
  delayS: number;
  timelimitS: number;
  channel: Channel | undefined;
  cause: string | undefined;
  attempt: RingAttempt | undefined;
}

class GroupRun implements Cancellable {
  private readonly legs: LegRun[];
  private startMs = 0;
  private timer: TimerHandle | undefined;
  private finished = false;
  private resolveRun!: (r: OriginateResult) => void;
  private readonly timeoutS: number;
  private readonly ignoreEarlyMedia: boolean;

  constructor(
    private readonly host: OriginateHost,
    private readonly request: OriginateRequest,
    specs: DialLeg[],
    private readonly groupVars: VarMap,
    private readonly forked: boolean,
  ) {
    const callerTimeout = request.caller?.getVar('call_timeout');
    this.timeoutS =
      intVar(groupVars['originate_timeout']) || intVar(groupVars['call_timeout']) || intVar(callerTimeout) || 60;
    this.ignoreEarlyMedia = truthy(groupVars['ignore_early_media']);
    this.legs = specs.map((spec) => {
      const delayS = intVar(spec.vars['leg_delay_start']);
      const legTimeout = intVar(spec.vars['leg_timeout'] ?? groupVars['leg_timeout']);
      return {
        spec,
        state: 'resolving' as LegState,
        vars: { ...groupVars, ...spec.vars },
        target: undefined,
        delayS,
        // leg_timeout counts from the leg's own start: the delay is added (originate's leg-variable parsing).
        timelimitS: legTimeout ? legTimeout + delayS : 0,
        channel: undefined,
        cause: undefined,
        attempt: undefined,
      };
    });
  }

  run(): Promise<OriginateResult> {
    return new Promise((resolve) => {
      this.resolveRun = resolve;
      this.startMs = this.host.clock.now();
      this.request.caller?.onHangup(() => this.cancel('ORIGINATOR_CANCEL'));
      void this.resolveAll();
    });
  }

  cancel(cause: string): void {
    if (this.finished) return;
    this.finish({ ok: false, cause, timedOut: false }, cause);
  }

  private async resolveAll(): Promise<void> {
    await Promise.all(
      this.legs.map(async (leg) => {
        const res = await this.host.resolve(leg.spec.target, leg.vars, this.request.caller);
        if (this.finished) return;
        if (!res.ok) {
          leg.state = 'done';
          leg.cause = res.cause;
          this.record(leg, 'failed', res.cause, true);
          return;
        }
        leg.target = res.target;
        leg.vars = { ...leg.vars, ...res.vars };
        leg.state = 'delayed';
        if (!this.forked) {
          for (const alt of res.alternates ?? []) {
            this.legs.push({ ...leg, target: alt.target, vars: { ...leg.vars, ...alt.vars }, attempt: undefined });
          }
        }
      }),
    );
    if (!this.finished) this.tick();
  }

  private elapsed(): number {
    const now = this.host.clock.now();
    if (this.host.granularity === 'exact') return (now - this.startMs) / 1000;
    return Math.floor(now / 1000) - Math.floor(this.startMs / 1000);
  }

  /** FreeSWITCH compares whole seconds with `>`; the exact mode fires at the planned instant. */
  private passed(elapsed: number, limitS: number): boolean {
    return this.host.granularity === 'exact' ? elapsed >= limitS : elapsed > limitS;
  }

  private tick(): void {
    if (this.finished) return;
    this.host.clock.clearTimer(this.timer);
    const elapsed = this.elapsed();
    this.checkPerLegTimeouts(elapsed);
    if (this.finished) return;
    if (this.legs.every((l) => l.state === 'done')) return this.failAll();
    if (this.passed(elapsed, this.timeoutS)) return this.timeout();
    this.scheduleNextTick();
  }

  /** check_per_channel_timeouts: start due legs, fast-forward when nothing rings, enforce leg_timeout. */
  private checkPerLegTimeouts(elapsed: number): void {
    // Undelayed legs count as active from the start: FreeSWITCH created their channels with the group.
    const active = this.legs.filter((l) => l.state === 'active' || (l.state === 'delayed' && l.delayS === 0)).length;
    const delayed = this.legs.filter((l) => l.state === 'delayed');
    let earlyExit = 0;
    let delayedMin = 0;
    if (active === 0 && delayed.length > 0) {
      delayedMin = Math.min(...delayed.filter((l) => l.delayS > 0).map((l) => l.delayS), Number.MAX_SAFE_INTEGER);
      if (delayedMin === Number.MAX_SAFE_INTEGER) delayedMin = 0;
      earlyExit = Math.max(0, delayedMin - Math.floor(elapsed));
    }
    for (const leg of this.legs) {
      if (leg.state === 'delayed' && (leg.delayS === 0 || this.passed(elapsed, leg.delayS) || active === 0)) {
        if (active === 0 && leg.delayS > 0) {
          if (leg.timelimitS) leg.timelimitS = leg.timelimitS > earlyExit ? leg.timelimitS - earlyExit : 1;
          leg.delayS -= delayedMin;
        } else {
          leg.delayS = 0;
        }
        if (leg.delayS === 0) this.startLeg(leg);
      }
    }
    for (const leg of this.legs) {
      if (leg.state === 'active' && leg.timelimitS && this.passed(elapsed, leg.timelimitS)) {
        leg.channel?.hangup('ALLOTTED_TIMEOUT');
      }
    }
  }

  private startLeg(leg: LegRun): void {
    if (this.finished || !leg.target) return;
    leg.state = 'active';
    const channel = leg.target.start({ caller: this.request.caller, vars: leg.vars, rootCall: this.request.rootCall });
    leg.channel = channel;
    this.record(leg, 'ringing', undefined, false);
    channel.onProgress((early) => this.progress(early, channel));
    channel.onAnswer(() => this.won(leg));
    channel.onHangup((cause) => {
      if (leg.state === 'done') return;
      leg.state = 'done';
      leg.cause = cause;
      this.closeAttempt(leg, this.finished ? 'cancelled' : 'failed', cause);
      if (!this.finished) queueMicrotask(() => this.tick());
    });
  }

  private progress(early: boolean, leg: Channel): void {
    const caller = this.request.caller;
    if (!caller || this.finished) return;
    // With a single leg FreeSWITCH passes its callee id to the caller along with the ring.
    if (this.legs.length === 1) passCalleeId(leg, caller);
    if (early && !this.ignoreEarlyMedia) caller.preAnswer();
    else if (!truthy(this.groupVars['ignore_ring_ready'])) caller.ringReady();
  }

  private won(leg: LegRun): void {
    if (this.finished || !leg.channel) return;
    this.closeAttempt(leg, 'answered', undefined);
    const log = this.host.ringLog(this.request.rootCall);
    if (log && log.answeredBy === undefined) {
      log.answeredBy = leg.target?.endpoint ?? leg.spec.target;
      log.answeredS = secondsSince(log, this.host.clock.now());
    }
    const loser = this.legs.length > 1 ? 'LOSE_RACE' : 'NO_ANSWER';
    this.finish({ ok: true, leg: leg.channel }, loser, leg);
  }

  private timeout(): void {
    this.finish({ ok: false, cause: 'NO_ANSWER', timedOut: true }, 'NO_ANSWER');
  }

  /** All legs failed: the cause of the first leg in dial order, as switch_ivr_originate reports it. */
  private failAll(): void {
    const first = this.legs.find((l) => l.channel && l.cause) ?? this.legs.find((l) => l.cause);
    this.finish({ ok: false, cause: first?.cause ?? 'NORMAL_TEMPORARY_FAILURE', timedOut: false }, 'NORMAL_CLEARING');
  }

  private finish(result: OriginateResult, othersCause: string, winner?: LegRun): void {
    if (this.finished) return;
    this.finished = true;
    this.host.clock.clearTimer(this.timer);
    for (const leg of this.legs) {
      if (leg === winner) continue;
      if (leg.state === 'active' && leg.channel?.isUp) leg.channel.hangup(othersCause);
      leg.state = 'done';
    }
    this.resolveRun(result);
  }

  private scheduleNextTick(): void {
    const clock = this.host.clock;
    const now = clock.now();
    let delay: number;
    if (this.host.granularity === 'freeswitch') {
      delay = 1000 - (now % 1000);
    } else {
      const dues = [this.timeoutS];
      for (const l of this.legs) {
        if (l.state === 'delayed' && l.delayS > 0) dues.push(l.delayS);
        if (l.state === 'active' && l.timelimitS) dues.push(l.timelimitS);
      }
      const nextAt = Math.min(...dues.map((s) => this.startMs + s * 1000).filter((t) => t > now), now + 1000);
      delay = nextAt - now;
    }
    this.timer = clock.setTimer(delay, () => this.tick());
  }

  private record(leg: LegRun, outcome: RingAttempt['outcome'], cause: string | undefined, closed: boolean): void {
    const log = this.host.ringLog(this.request.rootCall);
    if (!log) return;
    const now = secondsSince(log, this.host.clock.now());
    const attempt: RingAttempt = {
      target: leg.spec.target,
      endpoint: leg.target?.endpoint,
      uuid: leg.channel?.uuid,
      startS: now,
      endS: closed ? now : undefined,
      outcome,
      cause,
    };
    log.attempts.push(attempt);
    leg.attempt = attempt;
  }

  private closeAttempt(leg: LegRun, outcome: RingAttempt['outcome'], cause: string | undefined): void {
    const log = this.host.ringLog(this.request.rootCall);
    if (!log || !leg.attempt || leg.attempt.endS !== undefined) return;
    leg.attempt.endS = secondsSince(log, this.host.clock.now());
    leg.attempt.outcome = outcome;
    leg.attempt.cause = cause;
  }
}
