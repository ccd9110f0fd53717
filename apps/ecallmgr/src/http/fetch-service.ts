import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { FifeError, authn, route } from '@fife/api';
import type { Bus } from '@fife/bus';
import { authnReqFields, classifyDirectory, directoryAnswer, type AuthnAnswer } from '../domain/directory.js';
import { errorDocument, renderRoute, type RouteAnswer } from '../domain/dialplan.js';
import { classifyDialplan, routeReqFields, type DialplanFetch } from '../domain/route-request.js';
import { notFoundDocument } from '../domain/xml.js';
import type { FetchAnswer, FetchHandler } from './server.js';

/** What the dialplan path needs from call control: can this process drive the call, and take it over. */
export interface CallControlPort {
  canControl(fetch: DialplanFetch): boolean;
  /** Called after the XML went out: route_win to the winner, then control through the control queue. */
  win(fetch: DialplanFetch, fetchId: string, resp: Record<string, unknown>): Promise<void>;
}

export interface FetchServiceDeps {
  bus: Bus;
  /** This ecallmgr's name (Kazoo's ecallmgr node). */
  node: string;
  sipProfile: string;
  authnTimeoutMs: number;
  routeTimeoutMs: number;
  control?: CallControlPort;
}

function failure(err: unknown): string {
  return err instanceof FifeError && err.code === 'bus.timeout' ? 'timeout' : err instanceof FifeError && err.code === 'bus.bad_reply' ? 'bad-reply' : 'error';
}

/** directory → authn_req → authn_resp → user entry; any negative answer, timeout or failure → not found. */
async function directory(deps: FetchServiceDeps, params: Record<string, string>, log: Logger): Promise<FetchAnswer> {
  const req = classifyDirectory(params);
  if (req.kind === 'ignored') return { xml: notFoundDocument(), outcome: 'ignored' };
  const fetchId = randomUUID();
  let resp: Record<string, unknown>;
  try {
    resp = await deps.bus.request(authn.req, authnReqFields(params, req, fetchId) as never, {
      timeoutMs: deps.authnTimeoutMs,
      replies: [authn.resp, authn.err],
    });
  } catch (err) {
    const outcome = failure(err);
    log.info({ user: req.user, domain: req.domain, outcome, err: outcome === 'timeout' ? undefined : err }, 'directory: no credentials');
    return { xml: notFoundDocument(), outcome };
  }
  if (resp['Event-Name'] !== 'authn_resp') return { xml: notFoundDocument(), outcome: 'rejected' };
  const xml = directoryAnswer(req, resp as AuthnAnswer);
  return xml ? { xml, outcome: 'found' } : { xml: notFoundDocument(), outcome: 'unsupported-method' };
}

/**
 * dialplan → route_req → first valid route_resp → dialplan XML. No answer in time is an explicit
 * refusal (`respond 480`), not a fallback to whatever static dialplan the node has.
 */
async function dialplan(deps: FetchServiceDeps, params: Record<string, string>, log: Logger): Promise<FetchAnswer> {
  const fetch = classifyDialplan(params);
  if (!fetch) return { xml: notFoundDocument(), outcome: 'ignored' };
  const fetchId = randomUUID();
  const mediaServer = `freeswitch@${fetch.hostname ?? 'unknown'}`;
  let resp: Record<string, unknown>;
  try {
    resp = await deps.bus.request(route.req, routeReqFields(params, fetch, fetchId, mediaServer) as never, {
      timeoutMs: deps.routeTimeoutMs,
      replies: [route.resp],
    });
  } catch (err) {
    const outcome = failure(err);
    log.warn({ callId: fetch.callId, destination: fetch.destination, outcome, err: outcome === 'timeout' ? undefined : err }, 'dialplan: no route');
    const [code, text] = outcome === 'timeout' ? ['480', 'No route in time'] : ['500', 'Routing failed'];
    return { xml: errorDocument(fetch.context, code, text), outcome };
  }
  const answer = resp as unknown as RouteAnswer;
  const control = deps.control;
  if (answer.Method === 'park' && !control?.canControl(fetch)) {
    log.error({ callId: fetch.callId, hostname: fetch.hostname }, 'dialplan: park needs call control, but this process holds no ESL connection to that node');
    return { xml: errorDocument(fetch.context, '503', 'No call control for this node'), outcome: 'no-control' };
  }
  const rendered = renderRoute(answer, fetch.context, { sipProfile: deps.sipProfile, context: fetch.context, node: deps.node });
  if (rendered.kind !== 'error' && control?.canControl(fetch)) {
    // After the XML is on its way: the winner may start sending commands as soon as it hears route_win.
    setImmediate(() => void control.win(fetch, fetchId, resp).catch((err) => log.error({ err, callId: fetch.callId }, 'route_win failed')));
  }
  return { xml: rendered.xml, outcome: rendered.kind };
}

export function fetchHandler(deps: FetchServiceDeps): FetchHandler {
  return async (params, log) => {
    switch (params.section) {
      case 'directory':
        return directory(deps, params, log);
      case 'dialplan':
        return dialplan(deps, params, log);
      default:
        return { xml: notFoundDocument(), outcome: 'ignored' };
    }
  };
}
