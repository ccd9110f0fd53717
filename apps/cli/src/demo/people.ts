import type { BehaviourInput } from '@fife/testkit';

/**
 * The sample account every `fife up --sim` run loads: one realm, its phones (SIP username = extension
 * number, which is what the callgroup whapp looks up), and how each simulated phone answers.
 */
export const DEMO_REALM = 'demo.fife.local';
/** Fixed ids so a second run on the same data folder rewrites the same documents (idempotent). */
export const DEMO_ACCOUNT_ID = 'f1fe0000000000000000000000000de0';

export interface DemoPhone {
  ext: string;
  name: string;
  password: string;
  behaviour: BehaviourInput;
}

const phone = (ext: string, name: string, behaviour: BehaviourInput): DemoPhone => ({ ext, name, password: `demo-${ext}`, behaviour });
/** Answers after `afterS`; hangs up after a minute, so calls placed while the demo stays up end by themselves. */
const answers = (afterS: number): BehaviourInput => ({ kind: 'answer', afterS, hangupAfterS: 60 });

export const PHONES = {
  alice: phone('1001', 'Alice', answers(1)),
  bob: phone('1002', 'Bob', answers(2)),
  carol: phone('2001', 'Carol', { kind: 'noanswer' }),
  dan: phone('2002', 'Dan', { kind: 'noanswer' }),
  erin: phone('2003', 'Erin', answers(1)),
  frank: phone('3001', 'Frank', { kind: 'busy' }),
  grace: phone('3002', 'Grace', answers(1)),
  desk: phone('5001', 'Support desk', answers(1)),
  afterHours: phone('5009', 'After-hours phone', answers(1)),
} satisfies Record<string, DemoPhone>;

export type PhoneKey = keyof typeof PHONES;

/** Numbers the sample callflows answer (besides every phone's own extension). */
export const NUMBERS = {
  salesGroup: '2000',
  frankLine: '3000',
  supportLine: '5000',
} as const;

/** Seconds between the sales group's ranks (NEXT ranks: earlier ranks keep ringing). */
export const SALES_RANK_DELAY_S = 2;

export const SUPPORT_CALENDAR_ID = 'support-hours';

export const aorOf = (p: DemoPhone): string => `${p.ext}@${DEMO_REALM}`;
export const phoneByAor = (aor: string): DemoPhone | undefined => Object.values(PHONES).find((p) => aorOf(p) === aor);
