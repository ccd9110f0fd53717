import type { SimNode, SimPhone } from '@fife/testkit';

export interface CallRecord {
  node: number;
  from: string;
  to: string;
  uuid: string;
  startedAt: number;
  /** `user@domain` of the phone that answered, when one did. */
  answeredBy: string | undefined;
  attempts: number;
  /** Why the last attempt was not answered by an expected phone: A-leg cause and what rang. */
  failure?: string;
}

/** How long a caller stays on the line (from the INVITE), leaving routing time on a loaded machine. */
export const CALL_SECONDS = 4;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drives phones the way real ones behave: a REGISTER that gets no usable answer is retried after a pause,
 * a call that was not routed is redialled once; first-attempt failures are counted apart, so a check can tell
 * "in flight when something died, then retried" from "lost".
 */
export class Phones {
  registerAttempts = 0;
  registerFirstFailures = 0;
  readonly registerFinalFailures: string[] = [];
  readonly calls: CallRecord[] = [];
  callFirstFailures = 0;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    readonly nodes: SimNode[],
    private readonly retryPauseMs = 1000,
    private readonly maxAttempts = 6,
  ) {}

  phone(node: number, user: string): SimPhone {
    return this.nodes[node - 1]!.phone(user);
  }

  async register(node: number, user: string): Promise<boolean> {
    const phone = this.phone(node, user);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      this.registerAttempts++;
      const outcome = await phone.register();
      if (outcome === 'registered') return true;
      if (attempt === 1) this.registerFirstFailures++;
      await sleep(this.retryPauseMs);
    }
    this.registerFinalFailures.push(`${user}@node${node}`);
    return false;
  }

  async registerMany(list: Array<[number, string]>, concurrency: number): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const [node, user] = list[next++]!;
        await this.register(node, user);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** Places a call the caller hangs up CALL_SECONDS after dialling; redials once if the expected phone did not answer. */
  async call(node: number, from: string, to: string, answerers: string[], domain: string): Promise<CallRecord> {
    const record: CallRecord = { node, from, to, uuid: '', startedAt: Date.now(), answeredBy: undefined, attempts: 0 };
    this.calls.push(record);
    const expected = new Set(answerers.map((u) => `${u}@${domain}`.toLowerCase()));
    for (let attempt = 1; attempt <= 2; attempt++) {
      record.attempts = attempt;
      const placed = await this.phone(node, from).call(to, { hangupAfterS: CALL_SECONDS });
      record.uuid = placed.uuid;
      await placed.done;
      const answered = placed.ringLog()?.answeredBy?.toLowerCase();
      if (answered && expected.has(answered)) {
        record.answeredBy = answered;
        return record;
      }
      const log = placed.ringLog();
      record.failure = `${await placed.done} rang=[${(log?.attempts ?? []).map((a) => `${a.target}:${a.outcome}:${a.cause ?? ''}`).join(' ')}] answeredBy=${answered ?? '-'}`;
      if (attempt === 1) this.callFirstFailures++;
      await sleep(1000);
    }
    return record;
  }

  /** Runs `work` without waiting; `settle` waits for everything started this way. */
  spawn(work: Promise<unknown>): void {
    const p = work.catch(() => undefined).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  async settle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}

/** Calls `tick` every `everyMs` until the returned stop function is called. */
export function every(everyMs: number, tick: () => void): () => void {
  const timer = setInterval(tick, everyMs);
  return () => clearInterval(timer);
}
