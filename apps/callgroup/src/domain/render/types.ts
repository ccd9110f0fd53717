import type { PlanStatus, RingLeg } from '../schema/plan.js';

export interface RenderOptions {
  /** device → dial target, e.g. `sofia/internal/sip:1001@10.0.0.11:5060` (registrar lookup, gateway, loopback) */
  resolveTarget: (leg: RingLeg) => string;
  /** X-Eventphone-Id: the call id stage 2 de-duplicates on */
  callId?: string;
  /** ringback name → what FreeSWITCH plays (file path or tone); default: the name itself */
  resolveRingback?: (name: string) => string;
  /** how long legs that never stop by themselves may ring (the caller's patience), default 600 s */
  ringTimeoutS?: number;
}

export type Variables = Array<readonly [string, string]>;

export interface RenderedLeg {
  target: string;
  /** leg_delay_start, relative to the start of its `|` group */
  delayStartS: number;
  /** leg_timeout, counted from the leg's own start; null = rings until it fails or someone answers */
  timeoutS: number | null;
  leg: RingLeg;
}

/** `|`-separated groups: each starts only when every leg of the previous one has failed. */
export type FailoverSteps = RenderedLeg[][];

export interface EnterprisePart {
  /** originate_delay_start of the whole part (FreeSWITCH would fast-forward a part of delayed legs) */
  delayStartS: number;
  steps: FailoverSteps;
}

export interface ParkAction {
  at_s: number;
  action: 'originate' | 'hangup';
  target: string;
  leg: RingLeg;
}

export type HangupCause = 'USER_BUSY' | 'USER_NOT_REGISTERED' | 'NO_ROUTE_DESTINATION' | 'NORMAL_TEMPORARY_FAILURE';

/** How FreeSWITCH realises a ring plan (§2). */
export type Rendering =
  | { kind: 'reject'; status: PlanStatus; cause: HangupCause }
  | { kind: 'bridge'; dialString: string; variables: Variables; steps: FailoverSteps }
  | { kind: 'enterprise'; dialString: string; variables: Variables; parts: EnterprisePart[] }
  /** park + call control: the whapp drives the legs itself (§2.4) */
  | { kind: 'park'; reason: string; variables: Variables; actions: ParkAction[]; endsAfterS: number | null };
