// Bad-input campaign, mod_xml_curl side: hostile values in directory and dialplan fetches to a running
// ecallmgr (real HTTP, real RabbitMQ, a peer answering as registrar and router that reflects what it
// was sent). Every answer is well-formed XML with nothing injected, or a clear HTTP error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import pino from 'pino';
import { nanoid } from 'nanoid';
import { authn, encodeSegment, route, system } from '@fife/api';
import { Bus, handler } from '@fife/bus';
import { fixturePath, sharedSkip, testVhost } from '@fife/testkit';
import { startWhapp, type RunningWhapp } from '@fife/whapp';
import { ecallmgrWhapp, type EcallmgrRuntime } from '@fife/ecallmgr';
import { printTable } from './support.js';
import { all, attributeValues, dialLegs, parseStrict, type Element } from './xml.js';

const id = nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x');
const realm = `xc-${id}.example.com`;
const account = `acct${id}badinputxmlcurl0000`.slice(0, 32);
const USER = 'fs';
const PASSWORD = `xc-${nanoid(16)}`;
const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
const A1 = '0123456789abcdef0123456789abcdef';
const CANARY = '${system(touch /tmp/fife-pwned)}';

/** Values a SIP peer can put in user names, numbers, caller names and headers. */
const HOSTILE: Record<string, string> = {
  'xml-attr-break': `1001"/><param name="password" value="owned"/><x a="`,
  'xml-element-break': `</user></users><user id="evil"><params><param name="password" value="x"/></params>`,
  'xml-entities': `&amp;&lt;&#0;&#x1F;&bogus; <![CDATA[ ]]> <!-- -->`,
  'var-expansion': CANARY,
  'global-expansion': '$${hostname}${api(system id)}',
  'dial-comma': '1001,sofia/external/sip:evil@attacker.example',
  'dial-pipe': '1001|user/evil',
  'dial-enterprise': '1001:_:loopback/666',
  'dial-braces': '{origination_caller_id_number=666,ignore_early_media=false}1001',
  'dial-brackets': '[leg_timeout=1,absolute_codec_string=PCMU]1001',
  'dial-angle-caret': "<sip_h_X-Evil=1>^^:a=b:c='d'\\1001",
  'control-chars': '1001\nContent-Length: 0\r\n\r\napi system id\u0000\u0007\t',
  'unicode-oddities': 'Ünïcødé ☎ \ufffe \ud800 \u202e1001',
  '64KB': 'x'.repeat(64 * 1024),
};

function captured(name: string, edit: (p: URLSearchParams) => void): string {
  const params = new URLSearchParams(readFileSync(fixturePath('freeswitch', 'xml-curl', `${name}.txt`), 'utf8'));
  edit(params);
  return params.toString();
}

const register = (user: string, domain = realm) =>
  captured('directory--sip_auth-REGISTER--reg-1000-short', (p) => {
    for (const k of ['key_value', 'sip_auth_realm', 'sip_to_host', 'sip_from_host', 'sip_contact_host', 'sip_request_host', 'domain']) p.set(k, domain);
    for (const k of ['sip_auth_username', 'sip_contact_user', 'sip_to_user', 'sip_from_user', 'user']) p.set(k, user);
  });

const dialplanFetch = (fields: Record<string, string>) =>
  captured('dialplan--1001--uac-1000-to-1001', (p) => {
    p.set('variable_ecallmgr_Account-ID', account);
    for (const [k, v] of Object.entries(fields)) p.set(k, v);
  });

/** Runs `work` over `items`, `width` at a time (the machine is shared; 80 fetches at once only measure load). */
async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

interface Answer {
  status: number;
  type: string;
  text: string;
}

function send(url: string, opts: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Nothing a caller sent may reach FreeSWITCH as an expansion or a control character. */
function assertInert(doc: Element, what: string): void {
  // Lookup keys (<domain name>, <user id>, <context name>) must echo what FreeSWITCH asked for, and
  // FreeSWITCH matches them as text, never expands them: they are checked by the round-trip instead.
  const keysRemoved = structuredClone(doc);
  for (const el of all(keysRemoved, 'user')) delete el.attrs.id;
  for (const el of [...all(keysRemoved, 'domain'), ...all(keysRemoved, 'context')]) delete el.attrs.name;
  for (const value of attributeValues(keysRemoved)) {
    assert.ok(!value.includes('${system') && !value.includes('$${') && !value.includes('${api'), `${what}: expansion survived in ${value.slice(0, 120)}`);
  }
  for (const action of all(doc, 'action')) {
    assert.ok(!/[\u0000-\u001f]/.test(action.attrs.data ?? ''), `${what}: control character in action data`);
  }
  for (const variable of all(doc, 'variable')) {
    assert.match(variable.attrs.name ?? '', /^[A-Za-z0-9_-]+$/, `${what}: variable name`);
    assert.ok(!/[\u0000-\u001f]/.test(variable.attrs.value ?? ''), `${what}: control character in a variable`);
  }
}

describe('hostile mod_xml_curl requests to a running ecallmgr', { skip: sharedSkip, timeout: 60_000 }, () => {
  let amqpUrl: string;
  let app: RunningWhapp<any>;
  let runtime: EcallmgrRuntime;
  let url: string;
  let peer: Bus;
  const figures: Array<[string, string, number, string]> = [];
  const routesAnswered = new Map<string, number>();

  before(async () => {
    amqpUrl = await testVhost('bad-input-xml-curl');
    peer = new Bus({ url: amqpUrl, identity: { appName: 'reflector', appVersion: '0', node: `reflector-${id}@test` }, logger: pino({ level: 'silent' }) });
    await peer.start();
    // A registrar that answers every user of the realm, echoing the user into its channel variables.
    await peer.consume({
      queue: `bad-input-authn-${id}`,
      exclusive: true,
      bindings: [{ exchange: 'callmgr', key: `authn.req.${encodeSegment(realm)}` }],
      handlers: [
        handler(authn.req, (msg, ctx) =>
          ctx.reply(authn.resp, {
            'Auth-Method': 'a1-hash',
            'Auth-Password': A1,
            'Custom-Channel-Vars': { 'Account-ID': account, Username: msg['Auth-User'], 'Presence-ID': `${msg['Auth-User']}@${realm}`, [`Evil-${msg['Auth-User']}`.slice(0, 60)]: 'key' },
          }),
        ),
      ],
    });
    // A router that bridges to the dialled number and echoes the caller name and channel variables.
    await peer.consume({
      queue: `bad-input-route-${id}`,
      exclusive: true,
      bindings: [{ exchange: 'callmgr', key: `route.req.audio.${account}` }],
      handlers: [
        handler(route.req, (msg, ctx) => {
          const routes = [
            { 'Invite-Format': 'username', 'To-User': String(msg['Destination-Number'] ?? ''), 'To-Realm': realm, 'Caller-ID-Name': msg['Caller-ID-Name'], 'Custom-Channel-Vars': msg['Custom-Channel-Vars'] },
            { 'Invite-Format': 'route', Route: 'sip:voicemail@vm.example.com' },
          ];
          routesAnswered.set(String(msg['Call-ID']), routes.length);
          return ctx.reply(route.resp, { Method: 'bridge', Routes: routes, 'Custom-Channel-Vars': msg['Custom-Channel-Vars'] } as never);
        }),
      ],
    });
    app = await startWhapp(ecallmgrWhapp({ onReady: (r) => (runtime = r) }), {
      AMQP_URL: amqpUrl,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      HTTP_PORT: '0',
      DRAIN_TIMEOUT_MS: '2000',
      NODE_NAME: `ecallmgr-${id}@bad-input`,
      ECALLMGR_XMLCURL_PORT: '0',
      ECALLMGR_XMLCURL_USER: USER,
      ECALLMGR_XMLCURL_PASSWORD: PASSWORD,
      ECALLMGR_AUTHN_TIMEOUT_MS: '1500',
      ECALLMGR_ROUTE_TIMEOUT_MS: '2000',
      ECALLMGR_NODE_LEASES: 'off',
    });
    url = `${runtime.xmlCurl.url}/fetch`;
  });

  after(async () => {
    printTable('hostile xml_curl requests: answer per case', ['section', 'case', 'HTTP', 'answer'], figures);
    await app?.stop();
    await peer?.close();
  });

  test('hostile user names in directory fetches: one user entry, exactly the one asked for, a1-hash only, nothing expandable', async () => {
    await inBatches(Object.entries(HOSTILE), 8, async ([name, value]) => {
        const res = await send(url, { body: register(value) });
        assert.equal(res.status, 200, name);
        assert.match(res.type, /xml/, name);
        const doc = parseStrict(res.text);
        assertInert(doc, `directory ${name}`);
        const users = all(doc, 'user');
        const notFound = all(doc, 'result').some((r) => r.attrs.status === 'not found');
        figures.push(['directory', `user = ${name}`, res.status, notFound ? 'not found' : `${users.length} user`]);
        if (notFound) return;
        assert.equal(users.length, 1, `${name}: one <user>`);
        // As sent on the wire (a lone surrogate cannot be URL-encoded: U+FFFD), minus what XML cannot carry.
        const sent = value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
        assert.equal(users[0]!.attrs.id, sent.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''), `${name}: the id round-trips`);
        const params = all(users[0]!, 'param');
        assert.deepEqual(params.map((p) => [p.attrs.name, p.attrs.value]), [['a1-hash', A1]], `${name}: a1-hash is the only credential`);
      });
  });

  test('hostile realms in directory fetches: not found (no registrar owns them) or a single entry', async () => {
    await inBatches(Object.entries(HOSTILE), 16, async ([name, value]) => {
        const res = await send(url, { body: register('1001', value) });
        assert.equal(res.status, 200, name);
        const doc = parseStrict(res.text);
        assertInert(doc, `realm ${name}`);
        const notFound = all(doc, 'result').some((r) => r.attrs.status === 'not found');
        figures.push(['directory', `domain = ${name}`, res.status, notFound ? 'not found' : `${all(doc, 'user').length} user`]);
        assert.ok(notFound || all(doc, 'user').length === 1, name);
      });
  });

  test('hostile numbers, caller names, contexts, channel variables and SIP headers in dialplan fetches: no extra leg, no expansion', async () => {
    const fieldsOf = (value: string): Array<[string, Record<string, string>]> => [
      ['destination', { 'Caller-Destination-Number': value, 'Hunt-Destination-Number': value }],
      ['caller name', { 'Caller-Caller-ID-Name': value }],
      ['caller number', { 'Caller-Caller-ID-Number': value }],
      ['channel variable', { 'variable_ecallmgr_Account-Name': value, 'variable_ecallmgr_Evil-Key': value }],
      ['SIP header', { 'variable_sip_h_X-Evil': value }],
      ['context', { 'Hunt-Context': value, 'Caller-Context': value }],
    ];
    const runs = Object.entries(HOSTILE).flatMap(([name, value]) => fieldsOf(value).map(([field, fields]) => ({ name, field, value, fields })));
    await inBatches(runs, 12, async (r) => {
        const callId = `${nanoid()}`;
        const res = await send(url, { body: dialplanFetch({ ...r.fields, 'Unique-ID': callId, 'Caller-Unique-ID': callId }) });
        const what = `${r.field} = ${r.name}`;
        assert.equal(res.status, 200, what);
        const doc = parseStrict(res.text);
        assertInert(doc, what);
        const bridges = all(doc, 'action').filter((a) => a.attrs.application === 'bridge');
        const legs = bridges.flatMap((b) => dialLegs(b.attrs.data ?? ''));
        const answered = routesAnswered.get(callId) ?? 0;
        assert.ok(legs.length <= answered, `${what}: ${legs.length} legs for ${answered} routes: ${legs.join(' ; ').slice(0, 300)}`);
        for (const leg of legs) assert.match(leg, /^(user\/1001@|sofia\/internal\/sip:voicemail@vm\.example\.com$|user\/[A-Za-z0-9._\-+*#~()]+@)/, `${what}: leg ${leg.slice(0, 120)}`);
        const contexts = all(doc, 'context');
        assert.ok(contexts.length <= 1, `${what}: one context`);
        const outcome = bridges.length ? `bridge, ${legs.length} leg(s)` : all(doc, 'result').length ? 'not found' : all(doc, 'action').map((a) => `${a.attrs.application} ${a.attrs.data ?? ''}`.trim()).join('; ').slice(0, 40);
        // Only answers that show the escaping at work: a route was asked for and answered.
        assert.ok(answered > 0, `${what}: the route_req reached the router (${outcome})`);
        if (r.field !== 'context' || r.name.startsWith('xml') || r.name === '64KB') figures.push(['dialplan', what, res.status, outcome]);
      });
  });

  test('missing parameters, wrong methods, non-form bodies, bad credentials and oversized requests get a clear answer', async () => {
    const notFound = (text: string) => all(parseStrict(text), 'result').some((r) => r.attrs.status === 'not found');
    const cases: Array<{ name: string; run: () => Promise<Answer>; expect: (a: Answer) => boolean; label: string }> = [
      { name: 'empty body', run: () => send(url, { body: '' }), expect: (a) => a.status === 200 && notFound(a.text), label: 'not found' },
      { name: 'no section', run: () => send(url, { body: 'user=1001&domain=x' }), expect: (a) => a.status === 200 && notFound(a.text), label: 'not found' },
      { name: 'directory without user', run: () => send(url, { body: `section=directory&action=sip_auth&domain=${realm}` }), expect: (a) => a.status === 200 && notFound(a.text), label: 'not found' },
      { name: 'dialplan without Unique-ID', run: () => send(url, { body: 'section=dialplan&Caller-Destination-Number=1001' }), expect: (a) => a.status === 200 && notFound(a.text), label: 'not found' },
      { name: 'unknown section', run: () => send(url, { body: 'section=configuration&key_value=sofia.conf' }), expect: (a) => a.status === 200 && notFound(a.text), label: 'not found' },
      { name: 'JSON body', run: () => send(url, { body: JSON.stringify({ section: 'directory', user: '1001' }), headers: { 'content-type': 'application/json' } }), expect: (a) => a.status === 200 && notFound(a.text), label: 'not found' },
      { name: 'XML body', run: () => send(url, { body: '<?xml version="1.0"?><section>directory</section>', headers: { 'content-type': 'text/xml' } }), expect: (a) => a.status === 200 && notFound(a.text), label: 'not found' },
      { name: 'binary garbage body', run: () => send(url, { body: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), headers: { 'content-type': 'application/octet-stream' } }), expect: (a) => a.status === 200 && notFound(a.text), label: 'not found' },
      { name: 'broken percent-encoding', run: () => send(url, { body: 'section=directory&user=%ZZ%&domain=%E0%A4%A&action=sip_auth' }), expect: (a) => a.status === 200 && (notFound(a.text) || all(parseStrict(a.text), 'user').length === 1), label: 'not found' },
      { name: 'repeated section', run: () => send(url, { body: 'section=dialplan&section=directory&section=configuration' }), expect: (a) => a.status === 200 && notFound(a.text), label: 'not found' },
      { name: 'PUT', run: () => send(url, { method: 'PUT', body: 'section=directory' }), expect: (a) => a.status === 405, label: '405' },
      { name: 'DELETE', run: () => send(url, { method: 'DELETE' }), expect: (a) => a.status === 405, label: '405' },
      { name: 'no credentials', run: () => send(url, { body: register('1001'), headers: { authorization: '' } }), expect: (a) => a.status === 401, label: '401' },
      { name: 'wrong password', run: () => send(url, { body: register('1001'), headers: { authorization: `Basic ${Buffer.from(`${USER}:nope`).toString('base64')}` } }), expect: (a) => a.status === 401, label: '401' },
      { name: 'malformed Authorization', run: () => send(url, { body: register('1001'), headers: { authorization: 'Basic ::::%%%%' } }), expect: (a) => a.status === 401, label: '401' },
      { name: '2 MB body', run: () => send(url, { body: `section=directory&pad=${'x'.repeat(2 * 1024 * 1024)}` }), expect: (a) => a.status === 413, label: '413' },
      { name: '64 KB GET query', run: () => send(`${url}?section=directory&user=${'x'.repeat(64 * 1024)}`, { method: 'GET' }), expect: (a) => a.status === 431 || (a.status === 200 && notFound(a.text)), label: '431 or not found' },
    ];
    for (const c of cases) {
      const answer = await c.run();
      figures.push(['http', c.name, answer.status, answer.status === 200 ? (notFound(answer.text) ? 'not found' : 'document') : answer.text.trim().slice(0, 30)]);
      assert.ok(c.expect(answer), `${c.name}: expected ${c.label}, got ${answer.status} ${answer.text.slice(0, 200)}`);
    }
  });

  test('after all that, ecallmgr still answers ping and serves a normal fetch', async () => {
    const replies = await peer.collect(system.pingReq, { App: 'ecallmgr' } as never, { timeoutMs: 1500, replies: [system.pingResp], count: 1 });
    assert.equal(replies.length, 1);
    const res = await send(url, { body: register('1001') });
    const users = all(parseStrict(res.text), 'user');
    assert.deepEqual(users.map((u) => u.attrs.id), ['1001']);
    assert.equal(app.bus.isUp, true);
  });
});
