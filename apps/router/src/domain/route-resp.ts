import { hangupCauses, type Action, type Decision, type Leg, type Steps } from './plan.js';

type Fields = Record<string, unknown>;

function legVars(leg: Leg): Record<string, string> {
  const vars: Record<string, string> = { ...leg.ccvs };
  // Endpoint-Delay / Endpoint-Timeout are the CCV names ecallmgr maps to leg_delay_start / leg_timeout (kazoo-wire §7.3).
  if (leg.delayS) vars['Endpoint-Delay'] = String(leg.delayS);
  if (leg.timeoutS) vars['Endpoint-Timeout'] = String(leg.timeoutS);
  return vars;
}

function defined(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''));
}

/** What a route object and a bridge endpoint share: where to dial, as whom, with which credentials. */
function legTarget(leg: Leg): Fields {
  return {
    'Invite-Format': leg.inviteFormat,
    Route: leg.route,
    'To-User': leg.toUser,
    'To-Realm': leg.toRealm,
    'To-DID': leg.toDid,
    'Caller-ID-Name': leg.callerId?.name,
    'Caller-ID-Number': leg.callerId?.number,
    'Auth-User': leg.authUser,
    'Auth-Password': leg.authPassword,
    Codecs: leg.codecs,
  };
}

/** A leg as a kapi route object (kazoo-wire §4.3), with its step for Fife's ecallmgr. */
export function routeObjectOf(leg: Leg, step: number): Fields {
  return defined({
    ...legTarget(leg),
    'Progress-Timeout': leg.progressTimeoutS,
    'Custom-Channel-Vars': legVars(leg),
    'Fife-Step': step,
  });
}

export function routesOf(steps: Steps): Fields[] {
  return steps.flatMap((legs, step) => legs.map((leg) => routeObjectOf(leg, step)));
}

/** The same leg as a bridge endpoint (kazoo-wire §5.2), for call control. */
export function endpointOf(leg: Leg): Fields {
  return defined({
    ...legTarget(leg),
    'Endpoint-Delay': leg.delayS,
    'Endpoint-Timeout': leg.timeoutS,
    'Custom-Channel-Vars': leg.ccvs,
  });
}

export interface RouteRespContext {
  accountId: string;
  callflowId?: string;
}

/** The route_resp fields for a decision (without default headers). */
export function routeRespFields(decision: Decision, ctx: RouteRespContext): Fields {
  const ccvs = defined({ 'Account-ID': ctx.accountId, 'Callflow-ID': ctx.callflowId });
  if (decision.method === 'bridge') return { Method: 'bridge', Routes: routesOf(decision.steps), 'Custom-Channel-Vars': ccvs };
  if (decision.method === 'park') return { Method: 'park', Routes: [], 'Pre-Park': 'none', 'Custom-Channel-Vars': ccvs };
  return {
    Method: 'error',
    'Route-Error-Code': decision.code,
    'Route-Error-Message': hangupCauses[decision.cause].text,
    'Custom-Channel-Vars': { ...ccvs, 'Hangup-Cause': decision.cause },
  };
}

/** A parked plan as kapi call-control commands (the elements of one `queue` command). */
export function commandsOf(actions: Action[]): Fields[] {
  return actions.flatMap((action): Fields[] => {
    switch (action.app) {
      case 'answer':
        return [{ 'Application-Name': 'answer' }];
      case 'play':
        return [{ 'Application-Name': 'play', 'Media-Name': action.media }];
      case 'tones':
        return [
          {
            'Application-Name': 'tones',
            Tones: action.tones.map((t) => defined({ Frequencies: t.frequencies, 'Duration-ON': t.onMs, 'Duration-OFF': t.offMs, Repeat: t.repeat })),
          },
        ];
      case 'hangup':
        return [{ 'Application-Name': 'hangup', 'Hangup-Cause': action.cause }];
      case 'bridge':
        // One bridge per step; Continue-On-Fail lets the queue go on to the next step or action.
        return action.steps.map((legs) => ({
          'Application-Name': 'bridge',
          'Dial-Endpoint-Method': 'simultaneous',
          'Continue-On-Fail': true,
          Endpoints: legs.map(endpointOf),
        }));
    }
  });
}
