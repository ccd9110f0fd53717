// Security: credentials never reach a log line. registrar, router, ecallmgr and calendar run as real processes
// (their main.ts) at LOG_LEVEL=trace with known secrets everywhere a secret can be: SIP passwords and
// their a1-hashes, gateway passwords, the ESL password, the AMQP and CouchDB URL passwords, the xml_curl basic-auth
// password, feed URL tokens and feed URL passwords. The flows that handle them are driven (directory
// fetch → authn, clear-password authn, registration from ESL, feed fetches that succeed and fail), then
// every line of every process's output is searched for every secret.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import amqp from 'amqplib';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { authn, calendar, encodeSegment, genericError, registration, system } from '@fife/api';
import { Bus } from '@fife/bus';
import { accountDbName, openStore, startEmbeddedCouch, type EmbeddedCouch, type Store } from '@fife/store';
import { brokerCtl, repoRoot, testVhost, deleteQueues } from '@fife/testkit';
import { putCalendar } from '@fife/calendar';
import { eventually, printTable, tempDir } from './support.js';
import { ICS_OPEN_ALWAYS } from './cluster.js';
import { registerEvent, startFakeFreeswitch, type FakeFreeswitch } from './fake-freeswitch.js';
import { all, parseStrict } from './xml.js';

const tag = nanoid(6).replace(/[^A-Za-z0-9]/g, 'x');
/** Distinctive values: a hit in a log line cannot be a coincidence. */
const SECRETS = {
  sipPassword: `SipPw${tag}${nanoid(10).replace(/[^A-Za-z0-9]/g, 'q')}`,
  // Fixed (still distinctive): the broker user is then created once, not with two rabbitmqctl calls a run.
  amqpPassword: 'AmqpPwFifeBadInput7f3c9e1d',
  couchPassword: `CouchPw${tag}${nanoid(10).replace(/[^A-Za-z0-9]/g, 'q')}`,
  eslPassword: `EslPw${tag}${nanoid(10).replace(/[^A-Za-z0-9]/g, 'q')}`,
  xmlCurlPassword: `XcPw${tag}${nanoid(10).replace(/[^A-Za-z0-9]/g, 'q')}`,
  feedToken: `FeedTok${tag}${nanoid(10).replace(/[^A-Za-z0-9]/g, 'q')}`,
  feedPassword: `FeedPw${tag}${nanoid(10).replace(/[^A-Za-z0-9]/g, 'q')}`,
  gatewayPassword: `GwPw${tag}${nanoid(10).replace(/[^A-Za-z0-9]/g, 'q')}`,
};
const AMQP_USER = 'fife-bad-input-sec';
const realm = `sec-${tag.toLowerCase()}.example.org`;
const SIP_USER = '1001';
const A1 = createHash('md5').update(`${SIP_USER}:${realm}:${SECRETS.sipPassword}`).digest('hex');
const BASIC = Buffer.from(`freeswitch:${SECRETS.xmlCurlPassword}`).toString('base64');

/** Every secret and every derived form that would betray it. */
function needles(): Record<string, string> {
  return { ...SECRETS, a1Hash: A1, xmlCurlBasicHeader: BASIC };
}

interface Child {
  name: string;
  proc: ChildProcess;
  lines: string[];
}

function startChild(name: string, main: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', main], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { name, proc, lines: [] };
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const text = rest + chunk.toString('utf8');
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      child.lines.push(...parts);
    });
    stream.on('end', () => rest && child.lines.push(rest));
  }
  return child;
}

async function stopChild(child: Child): Promise<void> {
  if (child.proc.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

function jsonLines(child: Child): Array<Record<string, unknown>> {
  return child.lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** An AMQP URL for a broker user of the test's own, so the URL carries a password of our choosing. */
async function amqpUrlWithSecret(base: string): Promise<{ url: string; secretInUrl: boolean }> {
  const vhost = decodeURIComponent(new URL(base).pathname.slice(1));
  const url = new URL(base);
  url.username = AMQP_USER;
  url.password = SECRETS.amqpPassword;
  try {
    await (await amqp.connect(url.toString())).close();
    return { url: url.toString(), secretInUrl: true };
  } catch {
    // not created yet
  }
  try {
    await brokerCtl('add_user', AMQP_USER, SECRETS.amqpPassword).catch(() => brokerCtl('change_password', AMQP_USER, SECRETS.amqpPassword));
    await brokerCtl('set_permissions', '-p', vhost, AMQP_USER, '.*', '.*', '.*');
  } catch {
    return { url: base, secretInUrl: false };
  }
  return { url: url.toString(), secretInUrl: true };
}

describe('credentials never logged (registrar, router, ecallmgr, calendar at LOG_LEVEL=trace)', { timeout: 90_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let couch: EmbeddedCouch;
  let store: Store;
  let feeds: Server;
  let fs: FakeFreeswitch;
  let bus: Bus;
  let amqpUrl: string;
  let amqpSecretInUrl = false;
  let accountId: string;
  let deviceId: string;
  const children: Child[] = [];
  const feedHits: string[] = [];
  const queues = [`fife.router.route_req.sec-${tag}`, `fife.router.route_req.sec-${tag}.dry_run`, `fife.registrar.sec-${tag}.authn`, `fife.registrar.sec-${tag}.reg_success`, `fife.registrar.sec-${tag}.reg_query`, `fife.calendar.status.sec-${tag}`, `fife.calendar.oncall.sec-${tag}`];

  before(async () => {
    const t0 = Date.now();
    const mark = (what: string) => process.env.BAD_INPUT_TIMING && console.log(`before ${what}: ${Date.now() - t0} ms`);
    dir = await tempDir('credentials');
    couch = await startEmbeddedCouch({ dataDir: join(dir.path, 'couch') });
    const couchUrl = new URL(couch.url);
    couchUrl.username = 'fife-admin';
    couchUrl.password = SECRETS.couchPassword;
    store = await openStore({ couchUrl: couchUrl.toString() });
    const vhostUrl = await testVhost('bad-input-security');
    mark('couch + vhost');
    ({ url: amqpUrl, secretInUrl: amqpSecretInUrl } = await amqpUrlWithSecret(vhostUrl));
    mark('broker user');

    accountId = await store.createAccount({ name: 'Security', realm });
    deviceId = await store.createDevice(accountId, { sip: { username: SIP_USER, password: SECRETS.sipPassword }, dialout_allowed: true } as never);

    // Feeds: one with a token in its query, one with a password in its userinfo, one that fails.
    feeds = createServer((req, res) => {
      feedHits.push(`${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
      if (req.url?.startsWith('/fail')) return void res.writeHead(500).end('no');
      res.writeHead(200, { 'content-type': 'text/calendar' }).end(ICS_OPEN_ALWAYS);
    });
    await new Promise<void>((resolve) => feeds.listen(0, '127.0.0.1', resolve));
    const feedBase = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}`;
    await putCalendar(store, accountId, 'feed-token', { name: 'Token feed', source: { type: 'remote', url: `${feedBase}/ok.ics?token=${SECRETS.feedToken}` } });
    await putCalendar(store, accountId, 'feed-fail', { name: 'Failing feed', source: { type: 'remote', url: `${feedBase}/fail.ics?token=${SECRETS.feedToken}` } });
    const withUser = new URL(`${feedBase}/private.ics`);
    withUser.username = 'feeduser';
    withUser.password = SECRETS.feedPassword;
    await putCalendar(store, accountId, 'feed-userinfo', { name: 'Password feed', source: { type: 'remote', url: withUser.toString() } });

    // An offnet route through a gateway that authenticates with a password (the router hands it to ecallmgr).
    await store.upsert(accountDbName(accountId), 'gw-resource', () => ({
      _id: 'gw-resource',
      pvt_type: 'resource',
      name: 'carrier',
      weight: 10,
      rules: ['^\\+\\d{8,}$'],
      gateways: [{ server: 'gw-sec.example', username: 'acct', password: SECRETS.gatewayPassword }],
    }));
    await store.upsert(accountDbName(accountId), 'offnet-flow', () => ({ _id: 'offnet-flow', pvt_type: 'callflow', numbers: [], patterns: ['^\\+\\d{8,}$'], flow: { module: 'offnet', data: {} } }));
    fs = await startFakeFreeswitch(SECRETS.eslPassword);
    mark('provisioned');
    const common = {
      AMQP_URL: amqpUrl,
      COUCH_URL: couchUrl.toString(),
      FIFE_DATA_DIR: dir.path,
      LOG_LEVEL: 'trace',
      HTTP_PORT: '0',
      DRAIN_TIMEOUT_MS: '2000',
    };
    children.push(
      startChild('registrar', 'apps/registrar/src/main.ts', {
        ...common,
        NODE_NAME: `registrar-${tag}@sec`,
        REGISTRAR_QUEUE_PREFIX: `fife.registrar.sec-${tag}`,
        REGISTRAR_CLEAR_PASSWORD_REALMS: realm,
        REGISTRAR_COMPACT_INTERVAL_MS: '0',
      }),
      startChild('calendar', 'apps/calendar/src/main.ts', {
        ...common,
        NODE_NAME: `calendar-${tag}@sec`,
        CALENDAR_STATUS_QUEUE: `fife.calendar.status.sec-${tag}`,
        CALENDAR_ONCALL_QUEUE: `fife.calendar.oncall.sec-${tag}`,
        CALENDAR_FEED_TIMEOUT_MS: '2000',
      }),
      startChild('router', 'apps/router/src/main.ts', { ...common, NODE_NAME: `router-${tag}@sec`, ROUTER_QUEUE: `fife.router.route_req.sec-${tag}`, ROUTER_DEADLINE_MS: '5000' }),
      startChild('ecallmgr', 'apps/ecallmgr/src/main.ts', {
        ...common,
        NODE_NAME: `ecallmgr-${tag}@sec`,
        ECALLMGR_FS_NODES: JSON.stringify([{ name: 'fake-fs', host: '127.0.0.1', port: fs.port }]),
        ECALLMGR_FS_PASSWORD: SECRETS.eslPassword,
        ECALLMGR_NODE_LEASES: 'off',
        ECALLMGR_XMLCURL_PORT: '0',
        ECALLMGR_XMLCURL_USER: 'freeswitch',
        ECALLMGR_XMLCURL_PASSWORD: SECRETS.xmlCurlPassword,
        ECALLMGR_ROUTE_TIMEOUT_MS: '6000',
      }),
    );
    bus = new Bus({ url: amqpUrl, identity: { appName: 'bad-input', appVersion: '0', node: 'sec@test' }, logger: pino({ level: 'silent' }) });
    await bus.start();
    for (const child of children) {
      await eventually(`${child.name} ready`, () => jsonLines(child).some((l) => l.msg === `${child.name}: ready`) || child.proc.exitCode !== null, 30_000);
      assert.equal(child.proc.exitCode, null, `${child.name} running:\n${child.lines.slice(-5).join('\n')}`);
    }
    mark('children ready');
  });

  after(async () => {
    await bus?.close();
    for (const child of children) await stopChild(child);
    await fs?.close();
    await new Promise<void>((resolve) => (feeds ? feeds.close(() => resolve()) : resolve()));
    await store?.close();
    await couch?.stop();
    await deleteQueues(amqpUrl, queues).catch(() => undefined);
    await dir?.remove();
  });

  test('auth, registration and feed flows run with the secrets, and no log line contains any of them', async () => {
    const t0 = Date.now();
    const mark = (what: string) => process.env.BAD_INPUT_TIMING && console.log(`${what}: ${Date.now() - t0} ms`);
    const ecallmgr = children.find((c) => c.name === 'ecallmgr')!;
    const serving = await eventually('xml_curl address', () => jsonLines(ecallmgr).find((l) => l.msg === 'ecallmgr: serving'), 10_000);
    const fetchUrl = `${String(serving.xmlCurl)}/fetch`;
    await eventually('ESL node authenticated', () => fs.ready, 10_000);

    // 1. FreeSWITCH asks for the directory entry: a1-hash comes back, never the clear password.
    const form = new URLSearchParams({
      section: 'directory',
      action: 'sip_auth',
      sip_auth_username: SIP_USER,
      user: SIP_USER,
      sip_auth_realm: realm,
      domain: realm,
      key_value: realm,
      sip_auth_method: 'REGISTER',
      sip_user_agent: 'test-phone',
      ip: '192.0.2.10',
    });
    const directory = await eventually(
      'directory entry',
      async () => {
        const res = await fetch(fetchUrl, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${BASIC}` } });
        const text = await res.text();
        return all(parseStrict(text), 'user').length === 1 ? text : undefined;
      },
      10_000,
    );
    const params = all(parseStrict(directory), 'param').map((p) => [p.attrs.name, p.attrs.value]);
    assert.deepEqual(params.filter(([n]) => n === 'a1-hash' || n === 'password'), [['a1-hash', A1]], 'a1-hash by default');
    assert.ok(!directory.includes(SECRETS.sipPassword), 'the clear password is not in the directory XML');

    mark('directory');
    // Paths that log the message they refuse: without a Server-ID (debug), with a field of the wrong type
    // (dead-lettered, warn), both carrying the password and the a1-hash in extra fields.
    const sender = { 'Event-Category': 'directory', 'Event-Name': 'authn_req', 'App-Name': 'kamailio', 'App-Version': '5', 'Msg-ID': nanoid() };
    const leaky = { 'Auth-Password': SECRETS.sipPassword, 'Auth-Response': A1, 'Auth-Realm': realm, To: `${SIP_USER}@${realm}`, From: `${SIP_USER}@${realm}` };
    await bus.publishRaw('callmgr', `authn.req.${encodeSegment(realm)}`, { ...sender, ...leaky, 'Auth-User': SIP_USER });
    await bus.publishRaw('callmgr', `authn.req.${encodeSegment(realm)}`, { ...sender, ...leaky, 'Auth-User': { password: SECRETS.sipPassword } });
    // 2. A Kamailio-style requester may get the clear password (configured realm): it travels, it is not logged.
    const kamailio = await bus.request(
      authn.req,
      { 'App-Name': 'kamailio', 'Auth-User': SIP_USER, 'Auth-Realm': realm, To: `${SIP_USER}@${realm}`, From: `${SIP_USER}@${realm}`, Method: 'REGISTER' } as never,
      { timeoutMs: 5000, replies: [authn.resp, authn.err] },
    );
    assert.equal(kamailio['Auth-Method'], 'password');
    assert.equal(kamailio['Auth-Password'], SECRETS.sipPassword);

    // 3. A REGISTER seen on ESL: ecallmgr publishes reg_success, the registrar stores it.
    fs.write(registerEvent('sec', realm));
    await eventually(
      'registration stored',
      async () => {
        const replies = await bus.collect(registration.query, { Realm: realm, Username: SIP_USER } as never, { timeoutMs: 400, replies: [registration.queryResp, registration.queryError] });
        return replies.some((r) => JSON.stringify(r).includes('probe=sec'));
      },
      10_000,
    );

    mark('registration');
    // 3b. A call to an outside number: route_req → router → a gateway with a password → bridge XML.
    const callId = `sec-${nanoid()}`;
    const dialplanForm = new URLSearchParams({
      section: 'dialplan',
      'Unique-ID': callId,
      'Core-UUID': '9a1d6b4c-0000-4000-8000-fake0fs00001',
      'FreeSWITCH-Hostname': 'fake-fs',
      'Caller-Destination-Number': '+3225551234',
      'Hunt-Destination-Number': '+3225551234',
      'Hunt-Context': 'default',
      'Caller-Caller-ID-Number': SIP_USER,
      'variable_ecallmgr_Account-ID': accountId,
      'variable_ecallmgr_Authorizing-ID': deviceId,
      'variable_ecallmgr_Authorizing-Type': 'device',
      variable_domain_name: realm,
    });
    const dialplanXml = await (
      await fetch(fetchUrl, { method: 'POST', body: dialplanForm.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${BASIC}` } })
    ).text();
    const bridges = all(parseStrict(dialplanXml), 'action').filter((a) => a.attrs.application === 'bridge');
    assert.ok(bridges.some((b) => (b.attrs.data ?? '').includes('gw-sec.example')), `offnet bridge through the gateway: ${dialplanXml.slice(0, 600)}`);
    // 4. Feeds: fetched with their token, with their password (as basic auth), and one failing.
    const status = (id: string) => bus.request(calendar.statusReq, { 'Account-ID': accountId, 'Calendar-ID': id } as never, { timeoutMs: 5000, replies: [calendar.statusResp, genericError] });
    const answers: Record<string, Record<string, unknown>> = {};
    for (const id of ['feed-token', 'feed-fail', 'feed-userinfo']) {
      answers[id] = await eventually(`${id} answered`, async () => status(id), 10_000);
      for (const [name, secret] of Object.entries(needles())) assert.ok(!JSON.stringify(answers[id]).includes(secret), `${id}: the reply carries ${name}`);
    }
    assert.equal(answers['feed-token']!['Event-Name'], 'status_resp', 'token feed fetched');
    assert.equal(answers['feed-fail']!['Event-Name'], 'calendar_status', 'failing feed: an error reply');
    assert.ok(feedHits.some((h) => h.startsWith('/ok.ics?token=')), 'token feed was requested');
    assert.ok(feedHits.some((h) => h.startsWith('/fail.ics')), 'failing feed was requested');
    assert.equal(answers['feed-userinfo']!['Event-Name'], 'status_resp', `password feed fetched (${String(answers['feed-userinfo']!['Error-Message'])})`);
    assert.ok(feedHits.includes('/private.ics auth=yes'), 'its password went as basic auth');

    mark('feeds');
    for (const c of children) {
      const pongs = await bus.collect(system.pingReq, { App: c.name } as never, { timeoutMs: 1500, replies: [system.pingResp], count: 1 });
      assert.equal(pongs.length, 1, `${c.name} still answers ping`);
    }
    // Everything the processes print until they stop counts, the shutdown lines too.
    for (const child of children) await stopChild(child);

    mark('stopped');
    if (process.env.BAD_INPUT_TIMING) for (const c of children) console.log(c.name, c.lines.map((l) => l.slice(0, 160)).join('\n'));
    const rows: Array<Array<string | number>> = [];
    const leaks: string[] = [];
    for (const child of children) {
      const parsed = jsonLines(child);
      const verbose = parsed.filter((l) => Number(l.level) <= 20).length;
      rows.push([child.name, child.lines.length, verbose, Object.keys(needles()).length]);
      for (const line of child.lines) {
        assert.ok((line.match(/"msg":/g) ?? []).length <= 1, `${child.name}: one message key per line: ${line.slice(0, 200)}`);
        for (const [name, secret] of Object.entries(needles())) {
          if (name === 'amqpPassword' && !amqpSecretInUrl) continue;
          if (line.includes(secret)) leaks.push(`${child.name}: ${name} in ${line.replace(secret, '<SECRET>').slice(0, 300)}`);
        }
      }
    }
    printTable('credentials: log lines searched per process (LOG_LEVEL=trace)', ['process', 'lines', 'debug/trace lines', 'secrets searched'], rows);
    assert.ok(rows.some((r) => Number(r[2]) > 0), 'debug/trace lines were written (the level took effect)');
    if (!amqpSecretInUrl) console.log('AMQP URL password not checked: the broker user could not be created (not the private test broker)');
    assert.deepEqual(leaks, [], 'no secret in any log line');
  });
});
