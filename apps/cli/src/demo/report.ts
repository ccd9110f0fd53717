import { color } from '../output/index.js';
import type { RingAttempt } from '@fife/testkit';
import { phoneByAor, PHONES } from './people.js';
import { firstRingS, type SampleCall } from './calls.js';
import type { PlacedCall } from './place-call.js';

export interface CallOutcome {
  sample: SampleCall;
  placed: PlacedCall;
  /** The router's decision for the same call (dry run at the call's instant). */
  route: { result: string; reasons: string[] };
  problems: string[];
}

const secs = (s: number | undefined) => (s === undefined ? '?' : `${s.toFixed(1)} s`);

function who(aorOrTarget: string | undefined): string {
  const p = aorOrTarget ? phoneByAor(aorOrTarget) : undefined;
  return p ? `${p.name} (${p.ext})` : (aorOrTarget ?? 'nobody');
}

function ending(a: RingAttempt, t0: number): string {
  if (a.outcome === 'answered') return 'answered';
  if (a.outcome === 'ringing') return 'still ringing';
  const end = a.endS === undefined ? '' : ` at ${secs(a.endS - t0)}`;
  return a.outcome === 'cancelled' ? `stopped ringing${end} (${a.cause ?? 'cancelled'})` : `refused${end}: ${a.cause ?? 'failed'}`;
}

/** The block printed for one sample call: what the router decided and why, who rang when, the result. */
export function formatOutcome(index: number, o: CallOutcome): string {
  const { sample, placed, route } = o;
  const caller = PHONES[sample.from];
  const log = placed.log;
  const lines = [color.bold(`${index}. ${sample.title}`)];
  lines.push(`   ${caller.name} (${caller.ext}) dialled ${sample.to} at ${placed.placedAt.toISOString().slice(11, 19)} UTC`);
  lines.push(`   router: ${route.result}; why:`);
  for (const reason of route.reasons) lines.push(`     - ${reason}`);
  const attempts = [...(log?.attempts ?? [])].sort((a, b) => a.startS - b.startS);
  const t0 = firstRingS(placed);
  if (attempts.length === 0) lines.push('   rang: nobody');
  else lines.push(`   rang (simulator ring log; the first phone rang ${secs(t0)} after the INVITE, times below count from then):`);
  for (const a of attempts) lines.push(`     ${secs(a.startS - t0).padStart(7)}  ${who(a.endpoint ?? a.target).padEnd(30)} ${ending(a, t0)}`);
  const answered = log?.answeredBy && log.answeredS !== undefined ? `answered by ${who(log.answeredBy)} at ${secs(log.answeredS - t0)}` : 'nobody answered';
  lines.push(`   result: ${answered}; call ended ${placed.cause}`);
  lines.push(o.problems.length === 0 ? `   ${color.ok('✔ as expected')}` : `   ${color.bad('✘ not as expected:')} ${o.problems.join('; ')}`);
  return lines.join('\n');
}
