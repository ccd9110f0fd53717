import type { CallerId } from './documents.js';

/**
 * One leg FreeSWITCH dials. Legs of one step ring together (a `,` group); steps are tried in order
 * (failover, `|` / continue_on_fail). Times are seconds from the start of the leg's step.
 */
export interface Leg {
  inviteFormat: 'route' | 'username' | 'loopback';
  route?: string;
  toUser?: string;
  toRealm?: string;
  toDid?: string;
  delayS?: number;
  timeoutS?: number;
  callerId?: CallerId;
  authUser?: string;
  authPassword?: string;
  codecs?: string[];
  progressTimeoutS?: number;
  /** Channel variables of that leg (Authorizing-ID, Owner-ID, ...). */
  ccvs: Record<string, string>;
  /** For people: "desk (1001) at sip:1001@10.0.0.2:5060". */
  label: string;
}

export type Steps = Leg[][];

export interface Tone {
  frequencies: number[];
  onMs: number;
  offMs: number;
  repeat?: number;
}

/** What call control does after route_win, in order. */
export type Action =
  | { app: 'answer' }
  | { app: 'play'; media: string }
  | { app: 'tones'; tones: Tone[] }
  | { app: 'bridge'; steps: Steps }
  | { app: 'hangup'; cause: string };

/** Where a (sub)flow ended. */
export type Terminal =
  | { kind: 'ring'; steps: Steps }
  | { kind: 'fail'; cause: HangupCause; message: string }
  | { kind: 'park'; actions: Action[]; why: string };

export const hangupCauses = {
  USER_BUSY: { code: '486', text: 'Busy Here' },
  NO_ANSWER: { code: '480', text: 'No Answer' },
  USER_NOT_REGISTERED: { code: '480', text: 'User Not Registered' },
  SUBSCRIBER_ABSENT: { code: '480', text: 'Subscriber Absent' },
  NO_USER_RESPONSE: { code: '408', text: 'No User Response' },
  CALL_REJECTED: { code: '603', text: 'Decline' },
  UNALLOCATED_NUMBER: { code: '404', text: 'Unallocated Number' },
  NO_ROUTE_DESTINATION: { code: '404', text: 'No Route' },
  OUTGOING_CALL_BARRED: { code: '403', text: 'Outgoing Call Barred' },
  INCOMING_CALL_BARRED: { code: '403', text: 'Incoming Call Barred' },
  NORMAL_TEMPORARY_FAILURE: { code: '503', text: 'Temporary Failure' },
  SERVICE_UNAVAILABLE: { code: '503', text: 'Service Unavailable' },
  EXCHANGE_ROUTING_ERROR: { code: '483', text: 'Too Many Hops' },
  NORMAL_CLEARING: { code: '480', text: 'Normal Clearing' },
} as const;
export type HangupCause = keyof typeof hangupCauses;

export function isHangupCause(value: unknown): value is HangupCause {
  return typeof value === 'string' && Object.hasOwn(hangupCauses, value);
}

/** The router's answer to one route request, before it is put on the wire. */
export type Decision =
  | { method: 'bridge'; steps: Steps }
  | { method: 'park'; actions: Action[]; why: string }
  | { method: 'error'; cause: HangupCause; code: string; message: string };

export function decisionOf(terminal: Terminal): Decision {
  if (terminal.kind === 'ring') return { method: 'bridge', steps: terminal.steps };
  if (terminal.kind === 'park') return { method: 'park', actions: terminal.actions, why: terminal.why };
  return { method: 'error', cause: terminal.cause, code: hangupCauses[terminal.cause].code, message: terminal.message };
}

/** Legs shifted to start later (a delayed forward target rings `delayS` after the step began). */
export function delayLegs(legs: Leg[], delayS: number): Leg[] {
  if (delayS <= 0) return legs;
  return legs.map((leg) => ({ ...leg, delayS: (leg.delayS ?? 0) + delayS }));
}

/** Legs that stop ringing after `timeoutS` seconds from their own start, unless they already stop sooner. */
export function limitLegs(legs: Leg[], timeoutS: number): Leg[] {
  return legs.map((leg) => ({ ...leg, timeoutS: leg.timeoutS === undefined ? timeoutS : Math.min(leg.timeoutS, timeoutS) }));
}
