import type { CallerId, Gateway, ResourceDoc } from './documents.js';
import { formatForGateway, type NumberForms } from './numbers.js';
import type { Leg } from './plan.js';

function matchesRules(resource: ResourceDoc, number: string): boolean {
  return resource.rules.some((rule) => {
    try {
      return new RegExp(rule).test(number);
    } catch {
      return false;
    }
  });
}

/** Enabled resources whose rules match the number (E.164 when known), lowest weight first, then by name. */
export function selectResources(resources: ResourceDoc[], forms: NumberForms): ResourceDoc[] {
  const number = forms.e164 ?? forms.dialed;
  return resources
    .filter((r) => r.enabled && matchesRules(r, number))
    .sort((a, b) => a.weight - b.weight || a.name.localeCompare(b.name));
}

function gatewayLeg(resource: ResourceDoc, gateway: Gateway, forms: NumberForms, callerId: CallerId, accountId: string): Leg {
  const user = `${gateway.prefix}${formatForGateway(forms, gateway.format)}${gateway.suffix}`;
  return {
    inviteFormat: 'route',
    route: `sip:${user}@${gateway.server}`,
    toDid: forms.e164 ?? forms.dialed,
    callerId,
    ...(gateway.username ? { authUser: gateway.username } : {}),
    ...(gateway.password ? { authPassword: gateway.password } : {}),
    ...(gateway.codecs ? { codecs: gateway.codecs } : {}),
    ...(gateway.progress_timeout_s ? { progressTimeoutS: gateway.progress_timeout_s } : {}),
    ccvs: { 'Account-ID': accountId, 'Resource-ID': resource._id ?? resource.name, 'Resource-Type': 'offnet' },
    label: `${resource.name} via ${gateway.server}`,
  };
}

/** One failover step per enabled gateway of every matching resource, in order. */
export function offnetSteps(resources: ResourceDoc[], forms: NumberForms, callerId: CallerId, accountId: string): Leg[][] {
  return selectResources(resources, forms).flatMap((resource) =>
    resource.gateways.filter((g) => g.enabled).map((gateway) => [gatewayLeg(resource, gateway, forms, callerId, accountId)]),
  );
}
