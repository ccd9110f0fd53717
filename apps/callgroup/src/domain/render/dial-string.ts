import { dialTarget, variableBlock } from './escape.js';
import type { EnterprisePart, FailoverSteps, RenderedLeg, Variables } from './types.js';

/** `[leg_delay_start=s,leg_timeout=d]target`, zero or absent values omitted (§2.3). */
export function legString(leg: RenderedLeg): string {
  const vars: [string, string][] = [];
  if (leg.delayStartS > 0) vars.push(['leg_delay_start', String(leg.delayStartS)]);
  if (leg.timeoutS !== null && leg.timeoutS > 0) vars.push(['leg_timeout', String(leg.timeoutS)]);
  return variableBlock('[', vars) + dialTarget(leg.target);
}

export function stepsString(steps: FailoverSteps): string {
  return steps.map((group) => group.map(legString).join(',')).join('|');
}

export function bridgeString(variables: Variables, steps: FailoverSteps): string {
  return variableBlock('{', variables) + stepsString(steps);
}

/** `<globals>part:_:part`; a delayed part waits with originate_delay_start (milliseconds). */
export function enterpriseString(variables: Variables, parts: EnterprisePart[]): string {
  const rendered = parts.map((part) => {
    const own = part.delayStartS > 0 ? variableBlock('{', [['originate_delay_start', String(part.delayStartS * 1000)]]) : '';
    return own + stepsString(part.steps);
  });
  return variableBlock('<', variables) + rendered.join(':_:');
}
