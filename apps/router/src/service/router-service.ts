import type { Logger } from 'pino';
import { evaluateCall, type CallInput, type EvaluateOptions, type Evaluation } from '../domain/evaluate.js';
import { hangupCauses } from '../domain/plan.js';
import { Budget, withDeadline, type RouterLookupFactory } from '../lookups/index.js';

export interface RouterServiceOptions {
  /** Total time to answer one route request (below ecallmgr's fetch timeout, 2600 ms in Kazoo). */
  deadlineMs: number;
  evaluate?: EvaluateOptions;
}

/**
 * Runs the evaluator for one request inside its deadline. When the flow cannot finish in time (a
 * lookup hung past its own bound, a store outage), the answer is a clear 503 rather than silence,
 * because ecallmgr would otherwise fall back to a static dialplan.
 */
export class RouterService {
  constructor(
    private readonly lookups: RouterLookupFactory,
    private readonly options: RouterServiceOptions,
    private readonly log: Logger,
  ) {}

  async route(input: CallInput): Promise<Evaluation> {
    const budget = new Budget(this.options.deadlineMs);
    const work = evaluateCall(input, this.lookups.forRequest(budget), this.options.evaluate);
    try {
      return await withDeadline(work, Math.max(1, budget.remaining() - 10), 'routing');
    } catch (err) {
      this.log.warn({ err, accountId: input.accountId, dialed: input.dialed }, 'router: evaluation failed');
      const message = (err as Error).message;
      return {
        decision: { method: 'error', cause: 'NORMAL_TEMPORARY_FAILURE', code: hangupCauses.NORMAL_TEMPORARY_FAILURE.code, message },
        reasons: [`routing failed: ${message}`],
      };
    }
  }
}
