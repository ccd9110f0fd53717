import { CAV_PREFIX, CCV_PREFIX, prefixedVars } from './ccv.js';
import { dialString, endpointTarget, type DialContext, type Endpoint } from './dial-string.js';
import { inertValue } from './escape.js';
import { dialplanDocument, type DialplanAction, type DialplanExtension } from './xml.js';

/** The parts of a route_resp the renderer reads (validated by @fife/api before it gets here). */
export interface RouteAnswer {
  Method: string;
  Routes?: readonly Endpoint[];
  'Route-Error-Code'?: string;
  'Route-Error-Message'?: string;
  'Pre-Park'?: string;
  'Ringback-Media'?: string;
  'Transfer-Media'?: string;
  'Custom-Channel-Vars'?: Record<string, unknown>;
  'Custom-Application-Vars'?: Record<string, unknown>;
}

export interface RenderContext extends DialContext {
  /** Name of this ecallmgr (exported as `ecallmgr_Ecallmgr-Node`). */
  node: string;
}

const DEFAULT_RINGBACK = '%(2000,4000,440,480)';

function set(name: string, value: string): DialplanAction {
  return { application: 'set', data: `${name}=${inertValue(value)}` };
}

/** CCVs and CAVs of the answer, one `set` each (values made inert: dialplan data is expanded). */
function varActions(resp: RouteAnswer): DialplanAction[] {
  return [
    ...prefixedVars(CCV_PREFIX, resp['Custom-Channel-Vars']).map(([n, v]) => set(n, v)),
    ...prefixedVars(CAV_PREFIX, resp['Custom-Application-Vars']).map(([n, v]) => set(n, v)),
  ];
}

function ringbackActions(resp: RouteAnswer): DialplanAction[] {
  return [set('ringback', resp['Ringback-Media'] ?? DEFAULT_RINGBACK), set('transfer_ringback', resp['Transfer-Media'] ?? DEFAULT_RINGBACK)];
}

/** `respond` data from an error answer: a 3-digit SIP code and a reason without quotes or expansions. */
export function respondData(code: string | undefined, message: string | undefined): string {
  const sip = code && /^[3-6]\d\d$/.test(code.trim()) ? code.trim() : '500';
  const reason = inertValue(message ?? '').replace(/["'\\]/g, '').replace(/\s+/g, ' ').trim().slice(0, 128);
  return reason ? `${sip} ${reason}` : sip;
}

/** Routes grouped by the router's `Fife-Step` (same step = ring together); without steps each route is a step. */
export function stepsOf(routes: readonly Endpoint[]): Endpoint[][] {
  const steps: Endpoint[][] = [];
  const byStep = new Map<string, Endpoint[]>();
  for (const route of routes) {
    const step = route['Fife-Step'];
    if (step === undefined || step === null) {
      steps.push([route]);
      continue;
    }
    const key = String(step);
    let group = byStep.get(key);
    if (!group) {
      group = [];
      byStep.set(key, group);
      steps.push(group);
    }
    group.push(route);
  }
  return steps;
}

/** One bridge per step; a route carrying a whole dial string (callgroup plans) is a bridge of its own. */
function bridgesOf(routes: readonly Endpoint[], ctx: DialContext): string[] {
  const bridges: string[] = [];
  for (const step of stepsOf(routes)) {
    const plain: Endpoint[] = [];
    for (const route of step) {
      const target = endpointTarget(route, ctx);
      if (target?.kind === 'raw') bridges.push(target.dialString);
      else if (target) plain.push(route);
    }
    const dial = plain.length > 0 ? dialString([plain], ctx) : undefined;
    if (dial) bridges.push(dial);
  }
  return bridges;
}

/**
 * Bridge: one extension per step, all with continue="true", so FreeSWITCH runs them in order: a
 * successful bridge ends the call when it ends (hangup_after_bridge), a failed one goes on to the next
 * step (continue_on_fail), and the last failure hangs the caller up with its cause.
 */
function bridgeExtensions(resp: RouteAnswer, ctx: RenderContext): DialplanExtension[] | undefined {
  const bridges = bridgesOf(resp.Routes ?? [], ctx);
  if (bridges.length === 0) return undefined;
  const head: DialplanExtension = {
    name: 'fife-setup',
    continue: true,
    actions: [set(`${CCV_PREFIX}Ecallmgr-Node`, ctx.node), ...ringbackActions(resp), ...varActions(resp), set('hangup_after_bridge', 'true')],
  };
  const steps = bridges.map((dial, i): DialplanExtension => ({
    name: `fife-step-${i + 1}`,
    continue: true,
    actions: [set('continue_on_fail', i < bridges.length - 1 ? 'true' : 'false'), { application: 'bridge', data: dial }],
  }));
  return [head, ...steps];
}

function parkExtension(resp: RouteAnswer, ctx: RenderContext): DialplanExtension {
  const prePark = resp['Pre-Park'] === 'answer' ? [{ application: 'answer' }] : resp['Pre-Park'] === 'ring_ready' ? [{ application: 'ring_ready' }] : [];
  return {
    name: 'fife-park',
    actions: [
      { application: 'log', data: `NOTICE ${inertValue(ctx.node)} won call control` },
      { application: 'export', data: `${CCV_PREFIX}Ecallmgr-Node=${inertValue(ctx.node)}` },
      ...ringbackActions(resp),
      ...varActions(resp),
      ...prePark,
      { application: 'park' },
    ],
  };
}

export function errorDocument(context: string, code: string, message: string): string {
  return dialplanDocument(context, [{ name: 'fife-error', actions: [{ application: 'respond', data: respondData(code, message) }] }], 'Fife route error');
}

export type RenderedRoute = { kind: 'park' | 'bridge' | 'error'; xml: string };

/** route_resp → dialplan XML (kazoo-wire §7.2). A bridge with nothing dialable becomes `respond 404`. */
export function renderRoute(resp: RouteAnswer, context: string, ctx: RenderContext): RenderedRoute {
  switch (resp.Method) {
    case 'park':
      return { kind: 'park', xml: dialplanDocument(context, [parkExtension(resp, ctx)]) };
    case 'bridge': {
      const extensions = bridgeExtensions(resp, ctx);
      if (extensions) return { kind: 'bridge', xml: dialplanDocument(context, extensions) };
      return { kind: 'error', xml: errorDocument(context, '404', 'No dialable route') };
    }
    case 'error':
      return { kind: 'error', xml: errorDocument(context, resp['Route-Error-Code'] ?? '500', resp['Route-Error-Message'] ?? '') };
    default:
      return { kind: 'error', xml: errorDocument(context, '501', `Method ${resp.Method} not supported`) };
  }
}
