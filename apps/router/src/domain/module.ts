import type { z } from 'zod';
import type { Caller } from './caller-id.js';
import type { CallerId, RoutingAccount } from './documents.js';
import type { FlowNode, RouterLookups } from './lookups.js';
import type { NumberForms } from './numbers.js';
import type { Action, HangupCause, Steps, Terminal } from './plan.js';

/** What a module sees while it runs: the call, the account, lookups and ways to continue the flow. */
export interface ModuleContext<D> {
  data: D;
  node: FlowNode;
  account: RoutingAccount;
  accountId: string;
  caller: Caller;
  /** The number this part of the flow was reached with (after transfers and forwards, the new one). */
  number: NumberForms;
  at: Date;
  callId?: string;
  lookups: RouterLookups;
  /** Caller-id masquerade in force for this subtree, if any. */
  masquerade?: CallerId;
  /** Records why a decision was taken (dry run, logs). */
  reason(text: string): void;
  /** Evaluates the first of these children that exists; undefined when none does. */
  branch(...keys: string[]): Promise<Terminal | undefined>;
  /** Routes another number of the account (transfer, forward): its callflow, else offnet. Loop-safe. */
  routeNumber(number: string, why: string): Promise<Terminal>;
  /** Legs to an outside number through the account's carrier resources. */
  offnet(number: NumberForms): Promise<Terminal>;
  fail(cause: HangupCause, message: string): Terminal;
}

export interface FlowModule<S extends z.ZodType = z.ZodType> {
  name: string;
  data: S;
  run(ctx: ModuleContext<z.infer<S>>): Promise<Terminal>;
}

export function defineModule<S extends z.ZodType>(module: FlowModule<S>): FlowModule<S> {
  return module;
}

/** Media modules (play, tone) end with call control: their actions, then whatever the rest of the flow decided. */
export function withActions(prefix: Action[], next: Terminal | undefined, why: string): Terminal {
  const answered = prefix.some((a) => a.app === 'answer');
  const actions: Action[] = answered ? [...prefix] : [{ app: 'answer' }, ...prefix];
  if (!next) actions.push({ app: 'hangup', cause: 'NORMAL_CLEARING' });
  else if (next.kind === 'ring') actions.push({ app: 'bridge', steps: next.steps });
  else if (next.kind === 'fail') actions.push({ app: 'hangup', cause: next.cause });
  else actions.push(...next.actions.filter((a) => a.app !== 'answer'));
  return { kind: 'park', actions, why: next?.kind === 'park' ? `${why}; ${next.why}` : why };
}

/**
 * After ringing, the `_` child takes over when nobody answered (Kazoo's callflow rule): ringing children
 * become failover steps, media children turn the whole plan into call control, a failing child changes nothing.
 */
export async function thenChild(ctx: ModuleContext<unknown>, steps: Steps): Promise<Terminal> {
  const next = await ctx.branch('_');
  if (!next || next.kind === 'fail') return { kind: 'ring', steps };
  if (next.kind === 'ring') {
    ctx.reason(`no answer → continue with the next node (${next.steps.length} more step(s))`);
    return { kind: 'ring', steps: [...steps, ...next.steps] };
  }
  ctx.reason('no answer → the next node needs call control: the whole plan runs parked');
  return { kind: 'park', actions: [{ app: 'bridge', steps }, ...next.actions], why: next.why };
}
