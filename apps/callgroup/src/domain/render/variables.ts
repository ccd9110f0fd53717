import type { CallPlan } from '../plan.js';
import { dialNumber, dialValue } from './escape.js';
import type { RenderOptions, Variables } from './types.js';

const DEFAULT_RING_TIMEOUT_S = 600;

/** Latest second at which anything in the plan happens. */
export function lastPlanSecond(plan: CallPlan): number {
  let max = plan.plan.ends_after_s ?? 0;
  for (const leg of plan.plan.ring_plan) max = Math.max(max, leg.start_after_s, leg.stop_after_s ?? 0);
  return max;
}

/** A number from outside (e.g. an unknown caller's From) may be anything: keep it, but as safe text. */
function numberOrText(value: string): string {
  return /^[0-9*#+]+$/.test(value) ? value : dialValue(value);
}

/** Call-wide variables (§2.2): early media, timeout, ringback, caller presentation, ywsd headers. */
export function globalVariables(plan: CallPlan, called: string, options: RenderOptions): Variables {
  const { plan: p } = plan;
  const ringTimeout = options.ringTimeoutS ?? DEFAULT_RING_TIMEOUT_S;
  const vars: Variables = [
    ['ignore_early_media', 'true'],
    ['originate_timeout', String(Math.max(ringTimeout, lastPlanSecond(plan) + 60))],
  ];
  if (p.ringback) {
    vars.push(['ringback', dialValue(options.resolveRingback ? options.resolveRingback(p.ringback) : p.ringback)]);
    vars.push(['instant_ringback', 'true']);
  }
  const cid = p.caller_id;
  if (cid.number) vars.push(['origination_caller_id_number', numberOrText(cid.number)]);
  if (cid.name) vars.push(['origination_caller_id_name', dialValue(cid.name)]);
  if (cid.lang) vars.push(['sip_h_X-Caller-Language', dialValue(cid.lang)]);
  if (cid.dialout_allowed) vars.push(['sip_h_X-Dialout-Allowed', '1']);
  if (p.called_name) vars.push(['sip_h_X-Called-Name', dialValue(p.called_name)]);
  if (options.callId) vars.push(['sip_h_X-Eventphone-Id', dialValue(options.callId)]);
  vars.push(['sip_h_X-Originally-Called', dialNumber(called, 'called')]);
  return vars.filter(([, v]) => v !== '');
}
