/**
 * What call-group tests assert: per call, which target rang from when to when (seconds since the call's first
 * channel was created), how each attempt ended, who answered and the final cause.
 */
export interface RingAttempt {
  /** The dial-string leg as written (`user/1001@dom`, `sofia/internal/sip:1001@127.0.0.1:15071`, `loopback/2000`). */
  target: string;
  /** `user@domain` of the simulated endpoint that rang, when there was one. */
  endpoint: string | undefined;
  uuid: string | undefined;
  startS: number;
  endS: number | undefined;
  outcome: 'ringing' | 'answered' | 'failed' | 'cancelled';
  cause: string | undefined;
}

export interface RingLog {
  callId: string;
  startedAtMs: number;
  attempts: RingAttempt[];
  answeredBy: string | undefined;
  answeredS: number | undefined;
  endS: number | undefined;
  cause: string | undefined;
}

export class RingLogBook {
  private readonly logs = new Map<string, RingLog>();

  open(callId: string, startedAtMs: number): RingLog {
    const existing = this.logs.get(callId);
    if (existing) return existing;
    const log: RingLog = {
      callId, startedAtMs, attempts: [], answeredBy: undefined, answeredS: undefined, endS: undefined, cause: undefined,
    };
    this.logs.set(callId, log);
    return log;
  }

  get(callId: string): RingLog | undefined {
    return this.logs.get(callId);
  }

  all(): RingLog[] {
    return [...this.logs.values()];
  }
}

export const secondsSince = (log: RingLog, nowMs: number): number => Math.round((nowMs - log.startedAtMs)) / 1000;
