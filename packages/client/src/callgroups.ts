import { FifeError, callgroup, error, type MessageOf } from '@fife/api';
import type { Bus } from '@fife/bus';
import { isErrorReply, remoteError } from './remote-error.js';

export type CallgroupPlan = MessageOf<typeof callgroup.planResp>;

export interface CallgroupPlanQuery {
  accountId: string;
  /** The dialled number (an extension, or a number under a TRUNK prefix). */
  number: string;
  /** The calling number; unknown numbers are external callers. */
  from?: string;
  callId?: string;
  /** Also return the discovery tree with every decision (why did a phone not ring?). */
  explain?: boolean;
  timeoutMs?: number;
}

/** Call groups: who would ring when for a number, asked of the running callgroup service. */
export class Callgroups {
  constructor(private readonly bus: Bus) {}

  /**
   * The ring plan (legs with start/stop times, skipped legs, the dial string). A configuration the
   * service refuses (unknown account, ...) rejects with `client.remote_error`; silence with `bus.timeout`.
   */
  async plan(q: CallgroupPlanQuery): Promise<CallgroupPlan> {
    if (!q.accountId) throw new FifeError('client.invalid', 'callgroups.plan: `accountId` is required', { field: 'accountId' });
    if (!q.number) throw new FifeError('client.invalid', 'callgroups.plan: `number` is required', { field: 'number' });
    const reply = await this.bus.request(
      callgroup.planReq,
      {
        'Account-ID': q.accountId,
        'Called-Number': q.number,
        ...(q.from ? { 'Caller-ID-Number': q.from } : {}),
        ...(q.callId ? { 'Call-ID': q.callId } : {}),
        ...(q.explain ? { Explain: true } : {}),
      },
      { timeoutMs: q.timeoutMs ?? 3000, replies: [callgroup.planResp, error.generic] },
    );
    if (isErrorReply(reply)) throw remoteError(reply, 'callgroup plan');
    return reply as CallgroupPlan;
  }
}
