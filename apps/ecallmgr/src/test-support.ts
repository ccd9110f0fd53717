// Helpers for ecallmgr's integration tests: a real broker, ecallmgr started as a whapp, an AMQP peer
// playing registrar/router, and mod_xml_curl POSTs.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { nanoid } from 'nanoid';
import pino from 'pino';
import { authn, build, call, dialplan, encodeSegment, nodes as nodeMessages, registration, route, type MessageOf } from '@fife/api';
import { Bus, handler, type ConsumeSpec, type HandlerContext } from '@fife/bus';
import { brokerUrl, fixturePath, ha1Of } from '@fife/testkit';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import type { ecallmgrConfig } from './config.js';
import { ecallmgrWhapp, type EcallmgrRuntime } from './whapp.js';

export interface TestEcallmgr {
  app: RunningWhapp<typeof ecallmgrConfig>;
  runtime: EcallmgrRuntime;
  url: string;
  stop(): Promise<void>;
}

export async function startEcallmgr(env: Record<string, string> = {}): Promise<TestEcallmgr> {
  let runtime: EcallmgrRuntime | undefined;
  const app = await startWhapp(ecallmgrWhapp({ onReady: (r) => (runtime = r) }), {
    AMQP_URL: await brokerUrl(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HTTP_PORT: '0',
    DRAIN_TIMEOUT_MS: '2000',
    NODE_NAME: `ecallmgr-${nanoid(4)}@test`,
    ECALLMGR_XMLCURL_PORT: '0',
    ...env,
  });
  return { app, runtime: runtime!, url: `${runtime!.xmlCurl.url}/fetch`, stop: () => app.stop() };
}

/** A peer on the bus (the registrar or router of a test): consumers of its own, requests of its own. */
export async function startPeer(appName: string): Promise<{ bus: Bus; consume(spec: ConsumeSpec): Promise<void>; stop(): Promise<void> }> {
  const bus = new Bus({ url: await brokerUrl(), identity: { appName, appVersion: '0.0.0', node: `${appName}-${nanoid(4)}@test` }, logger: pino({ level: 'silent' }) });
  await bus.start();
  await bus.waitUntilUp(10_000);
  return {
    bus,
    consume: async (spec) => void (await bus.consume(spec)),
    stop: () => bus.close(),
  };
}

export async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'freeswitch-xml/1.0', ...headers },
  });
  return { status: res.status, text: await res.text(), ms: Date.now() - started };
}

/** A captured mod_xml_curl body with some values replaced (to isolate a test's realm, add variables). */
export function capturedBody(name: string, edit: (params: URLSearchParams) => void = () => undefined): string {
  const params = new URLSearchParams(readFileSync(fixturePath('freeswitch', 'xml-curl', `${name}.txt`), 'utf8'));
  edit(params);
  return params.toString();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Attribute values of `<tag ... name="...">` elements, XML entities decoded. */
export function attrs(xml: string, tag: string, name: string): string[] {
  const decode = (v: string) => v.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#10;/g, '\n').replace(/&amp;/g, '&');
  return [...xml.matchAll(new RegExp(`<${tag}\\b[^>]*?\\b${name}="([^"]*)"`, 'g'))].map((m) => decode(m[1]!));
}

/** A TCP proxy to an ESL server whose connections a test can cut (the network drops, FreeSWITCH stays up). */
export async function startTcpProxy(targetPort: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const { createServer: createTcpServer, connect } = await import('node:net');
  const pairs = new Set<{ a: import('node:net').Socket; b: import('node:net').Socket }>();
  const server = createTcpServer((a) => {
    const b = connect(targetPort, '127.0.0.1');
    const pair = { a, b };
    pairs.add(pair);
    a.pipe(b).pipe(a);
    const end = () => {
      pairs.delete(pair);
      a.destroy();
      b.destroy();
    };
    a.on('error', end).on('close', end);
    b.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      for (const p of [...pairs]) {
        p.a.destroy();
        p.b.destroy();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of [...pairs]) {
          p.a.destroy();
          p.b.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface CallPeerOptions {
  /** Prefix of the peer's queue names (unique per test file). */
  name: string;
  realm: string;
  account: string;
  /** The SIP password of a user, or undefined for authn_err. */
  password(user: string): string | undefined;
  /** Answers a route_req (or stays silent); `winnerQueue` is where route_win for this peer arrives. */
  route(msg: MessageOf<typeof route.req>, ctx: HandlerContext, winnerQueue: string): Promise<void> | void;
}

/**
 * The AMQP side of an end-to-end test: one peer playing registrar (authn) and router (route_req), with
 * everything ecallmgr publishes collected: route_win, reg_success, call events, command errors, node status.
 */
export async function startCallPeer(opts: CallPeerOptions) {
  const peer = await startPeer('router');
  const winnerQueue = `test-${opts.name}-winner`;
  const wins: MessageOf<typeof route.win>[] = [];
  const regs: MessageOf<typeof registration.success>[] = [];
  const events: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  const status: MessageOf<typeof nodeMessages.mediaServer>[] = [];
  await peer.consume({
    queue: `test-${opts.name}-authn`,
    exclusive: true,
    bindings: [{ exchange: 'callmgr', key: `authn.req.${encodeSegment(opts.realm)}` }],
    handlers: [
      handler(authn.req, async (msg, ctx) => {
        const user = msg['Auth-User'];
        const pw = opts.password(user);
        if (!pw) return ctx.reply(authn.err, {});
        await ctx.reply(authn.resp, {
          'Auth-Method': 'a1-hash',
          'Auth-Password': ha1Of(user, opts.realm, pw),
          'Custom-Channel-Vars': { 'Account-ID': opts.account, 'Authorizing-ID': `dev-${user}`, Username: user, Realm: opts.realm },
        });
      }),
    ],
  });
  await peer.consume({
    queue: `test-${opts.name}-route`,
    exclusive: true,
    bindings: [{ exchange: 'callmgr', key: `route.req.audio.${opts.account}` }],
    handlers: [handler(route.req, (msg, ctx) => opts.route(msg, ctx, winnerQueue))],
  });
  await peer.consume({
    queue: winnerQueue,
    exclusive: true,
    bindings: [{ exchange: 'targeted', key: winnerQueue }],
    handlers: [handler(route.win, (msg) => void wins.push(msg))],
  });
  await peer.consume({
    queue: `test-${opts.name}-events`,
    exclusive: true,
    bindings: [
      { exchange: 'registrar', key: `registration.success.${encodeSegment(opts.realm)}.*` },
      { exchange: 'callevt', key: 'call.*.*' },
      { exchange: 'fife', key: 'node.media_server.*.*' },
    ],
    handlers: [
      handler(registration.success, (msg) => void regs.push(msg)),
      handler(call.event, (msg) => void events.push(msg)),
      handler(dialplan.error, (msg) => void errors.push(msg)),
      handler(nodeMessages.mediaServer, (msg) => void status.push(msg)),
      handler(call.usurpControl, () => undefined),
    ],
  });
  return {
    ...peer,
    winnerQueue,
    wins,
    regs,
    events,
    errors,
    status,
    /** The call events of one call, optionally of one name. */
    eventsOf: (callId: string, name?: string) => events.filter((e) => e['Call-ID'] === callId && (!name || e['Event-Name'] === name)),
    /** A call command to a controlled call's Control-Queue. */
    command: (controlQueue: string, callId: string, fields: Record<string, unknown>) =>
      peer.bus.publish(dialplan.command, build(dialplan.command, { 'Call-ID': callId, ...fields } as never, peer.bus.identity), { routingKey: controlQueue }),
  };
}
export type CallPeer = Awaited<ReturnType<typeof startCallPeer>>;
