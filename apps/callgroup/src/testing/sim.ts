import {
  dialplanXml,
  directoryXml,
  NOT_FOUND,
  startSimNode,
  TestXmlCurlServer,
  VirtualClock,
  type RingAttempt,
  type RingLog,
} from '@fife/testkit';
import type { RingLeg, RingPlan } from '../domain/index.js';

/** The simulated phones' domain: the FreeSWITCH rendering tests dial `sofia/internal/sip:<phone>@SIM_DOMAIN`. */
export const SIM_DOMAIN = '127.0.0.1';
const BASE_PORT = 17100;

/** The simulated phone standing for a leg: its device, or the number for external and static legs. */
export const simPhoneOf = (leg: RingLeg): string => (leg.device ?? leg.extension).replace(/[^A-Za-z0-9_.+-]/g, '_');

/** The dialplan a rendering becomes: a bridge with its dial string, or a hangup with its cause. */
export function dialplanOf(rendering: { kind: string; dial_string?: string; dialString?: string; cause?: string }): Array<[string, string]> {
  if (rendering.kind === 'reject') return [['hangup', rendering.cause ?? 'NORMAL_TEMPORARY_FAILURE']];
  const dial = rendering.dial_string ?? rendering.dialString;
  if (!dial) throw new Error(`a ${rendering.kind} rendering is not a dial string the simulator can run`);
  return [['bridge', dial]];
}

export function lastPlanSecond(plan: RingPlan): number {
  return Math.max(plan.ends_after_s ?? 0, ...plan.ring_plan.map((l) => Math.max(l.start_after_s, l.stop_after_s ?? 0)));
}

/**
 * One call on a fresh simulated FreeSWITCH (virtual clock, FreeSWITCH timer granularity) whose dialplan
 * runs `actions`; every phone rings and never answers. Returns the call's ring log after `runS` seconds.
 */
export async function simulateCall(caller: string, called: string, actions: Array<[string, string]>, phones: Iterable<string>, runS: number): Promise<RingLog | undefined> {
  const users = new Set([caller, ...phones]);
  const xml = await new TestXmlCurlServer((p) => {
    if (p.get('section') === 'dialplan') return dialplanXml('default', [{ name: 'callgroup', expression: `^${called}$`, actions }]);
    const user = p.get('user') ?? '';
    return users.has(user) ? directoryXml(SIM_DOMAIN, { id: user, password: `pw${user}` }) : NOT_FOUND;
  }).start();
  const clock = new VirtualClock();
  const node = await startSimNode({
    hostname: 'fs-callgroup',
    clock,
    xmlCurl: { url: xml.url },
    endpoints: [...users].map((user, i) => ({ user, domain: SIM_DOMAIN, password: `pw${user}`, port: BASE_PORT + i, behaviour: { kind: 'noanswer' as const } })),
  });
  try {
    const call = await node.phone(caller).call(called);
    await clock.advance(runS * 1000);
    const log = call.ringLog();
    return log && structuredClone(log);
  } finally {
    await node.stop();
    await xml.stop();
  }
}

/** Reference §2.5: a FreeSWITCH timer planned at s fires in [s, s+1]. */
export function withinOneSecond(actual: number | undefined, planned: number): boolean {
  return actual !== undefined && actual >= planned && actual <= planned + 1;
}

/**
 * Pairs every planned leg with one attempt on its phone that starts and ends within +1 s (a leg
 * without an end must still ring at the horizon); returns what does not pair up, on either side.
 */
export function ringLogMismatches(plan: RingPlan, attempts: RingAttempt[], horizonS: number): string[] {
  const left = [...attempts];
  const problems: string[] = [];
  for (const leg of plan.ring_plan) {
    const endpoint = `${simPhoneOf(leg)}@${SIM_DOMAIN}`;
    const i = left.findIndex(
      (a) =>
        a.endpoint === endpoint &&
        withinOneSecond(a.startS, leg.start_after_s) &&
        (leg.stop_after_s === null ? a.endS === undefined || a.endS >= horizonS : withinOneSecond(a.endS, leg.stop_after_s)),
    );
    if (i < 0) problems.push(`planned ${endpoint} ${leg.start_after_s}-${leg.stop_after_s ?? '∞'} s not rung so`);
    else left.splice(i, 1);
  }
  for (const a of left) problems.push(`unplanned attempt ${a.endpoint ?? a.target} ${a.startS}-${a.endS ?? '∞'} s`);
  return problems;
}
