import type { RingAttempt } from '@fife/testkit';
import { NUMBERS, PHONES, SALES_RANK_DELAY_S, aorOf, phoneByAor, type PhoneKey } from './people.js';
import type { PlacedCall } from './place-call.js';

export interface ExpectedRing {
  phone: PhoneKey;
  /** Seconds after the first phone rang; FreeSWITCH timers fire up to a second late. */
  startS: number;
  outcome: RingAttempt['outcome'];
  cause?: string;
}

/** One sample call and what it must do for `fife up --sim --check` to pass. */
export interface SampleCall {
  title: string;
  from: PhoneKey;
  to: string;
  /** `closed`: placed after the support calendar closed. */
  when: 'open' | 'closed';
  rings: ExpectedRing[];
  answeredBy: PhoneKey;
  /** A reason the router's dry run must give: the branch it took. */
  branch: RegExp;
}

export const SAMPLE_CALLS: SampleCall[] = [
  {
    title: 'Device call: Alice calls Bob',
    from: 'alice',
    to: PHONES.bob.ext,
    when: 'open',
    rings: [{ phone: 'bob', startS: 0, outcome: 'answered' }],
    answeredBy: 'bob',
    branch: new RegExp(`device .*${PHONES.bob.ext}`),
  },
  {
    title: `Call group with delayed ranks: Alice calls Sales (${NUMBERS.salesGroup})`,
    from: 'alice',
    to: NUMBERS.salesGroup,
    when: 'open',
    rings: [
      { phone: 'carol', startS: 0, outcome: 'cancelled' },
      { phone: 'dan', startS: SALES_RANK_DELAY_S, outcome: 'cancelled' },
      { phone: 'erin', startS: 2 * SALES_RANK_DELAY_S, outcome: 'answered' },
    ],
    answeredBy: 'erin',
    branch: new RegExp(`callgroup ${NUMBERS.salesGroup}.*leg`),
  },
  {
    title: `Support line (${NUMBERS.supportLine}) while the calendar is open`,
    from: 'alice',
    to: NUMBERS.supportLine,
    when: 'open',
    rings: [{ phone: 'desk', startS: 0, outcome: 'answered' }],
    answeredBy: 'desk',
    branch: /calendar Support hours open/,
  },
  {
    title: `Forward on busy: Alice calls Frank (${NUMBERS.frankLine}), who is busy`,
    from: 'alice',
    to: NUMBERS.frankLine,
    when: 'open',
    rings: [
      { phone: 'frank', startS: 0, outcome: 'failed', cause: 'USER_BUSY' },
      { phone: 'grace', startS: 0, outcome: 'answered' },
    ],
    answeredBy: 'grace',
    branch: /forwards on busy/,
  },
  {
    title: `Support line (${NUMBERS.supportLine}) after the calendar closed`,
    from: 'alice',
    to: NUMBERS.supportLine,
    when: 'closed',
    rings: [{ phone: 'afterHours', startS: 0, outcome: 'answered' }],
    answeredBy: 'afterHours',
    branch: /calendar Support hours closed/,
  },
];

/** When the first phone rang (seconds after the caller's INVITE): routing took that long. */
export function firstRingS(placed: PlacedCall): number {
  const starts = (placed.log?.attempts ?? []).map((a) => a.startS);
  return starts.length > 0 ? Math.min(...starts) : 0;
}

const LATE_S = 1.5;
const EARLY_S = 0.5;

/** What differs between a sample call's expectation and what the simulator and router reported. */
export function mismatches(sample: SampleCall, placed: PlacedCall, reasons: string[]): string[] {
  const problems: string[] = [];
  const attempts = placed.log?.attempts ?? [];
  const t0 = firstRingS(placed);
  for (const want of sample.rings) {
    const aor = aorOf(PHONES[want.phone]);
    const got = attempts.find((a) => a.endpoint === aor);
    if (!got) {
      problems.push(`${PHONES[want.phone].name} never rang`);
      continue;
    }
    const at = got.startS - t0;
    if (at < want.startS - EARLY_S || at > want.startS + LATE_S) problems.push(`${PHONES[want.phone].name} rang at ${at.toFixed(1)} s, expected ${want.startS} s`);
    if (got.outcome !== want.outcome) problems.push(`${PHONES[want.phone].name}: ${got.outcome}, expected ${want.outcome}`);
    if (want.cause && got.cause !== want.cause) problems.push(`${PHONES[want.phone].name} ended with ${got.cause}, expected ${want.cause}`);
  }
  const expected = new Set(sample.rings.map((r) => aorOf(PHONES[r.phone])));
  for (const a of attempts) if (!expected.has(a.endpoint ?? a.target)) problems.push(`${a.endpoint ?? a.target} rang unexpectedly`);
  const answeredBy = placed.log?.answeredBy;
  if (answeredBy !== aorOf(PHONES[sample.answeredBy])) {
    const who = answeredBy === undefined ? 'nobody' : (phoneByAor(answeredBy)?.name ?? answeredBy);
    problems.push(`answered by ${who}, expected ${PHONES[sample.answeredBy].name}`);
  }
  if (!reasons.some((r) => sample.branch.test(r))) problems.push(`the router gave no reason matching ${sample.branch}`);
  return problems;
}
