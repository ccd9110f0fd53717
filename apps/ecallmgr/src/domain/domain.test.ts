import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { dialValue, inertValue, xmlAttr } from './escape.js';
import { authnReqFields, classifyDirectory, directoryAnswer } from './directory.js';
import { classifyDialplan, routeReqFields } from './route-request.js';
import { dialString, endpointTarget, legString } from './dial-string.js';
import { renderRoute, respondData, stepsOf } from './dialplan.js';
import { notFoundDocument } from './xml.js';

const ctx = { sipProfile: 'internal', context: 'default', node: 'ecallmgr@test' };

/** Attribute values of every element of an XML text, decoded, in document order. */
function attrs(xml: string, tag: string, name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}\\b[^>]*\\b${name}="([^"]*)"`, 'g');
  for (const m of xml.matchAll(re)) {
    out.push(m[1]!.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#10;/g, '\n').replace(/&#13;/g, '\r').replace(/&#9;/g, '\t').replace(/&amp;/g, '&'));
  }
  return out;
}

/** A structural check: tags balance and no raw `<`/`&` appear inside attribute values. */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  for (const m of body.matchAll(/<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos|#\d+);[^"<&]*)*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) assert.equal(stack.pop(), name, `unbalanced </${name}>`);
    else stack.push(name!);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  const stripped = body.replace(/<[^>]*>/g, '').trim();
  assert.equal(stripped, '', `text outside tags: ${stripped.slice(0, 80)}`);
}

describe('escaping', () => {
  test('xmlAttr escapes markup and drops characters XML cannot hold', () => {
    assert.equal(xmlAttr(`a"b'<c>&\u0001\n`), 'a&quot;b&apos;&lt;c&gt;&amp;&#10;');
  });
  test('inertValue removes every $ so no ${...} expansion can form', () => {
    assert.equal(inertValue('${system(rm -rf /)}'), '{system(rm -rf /)}');
    assert.equal(inertValue('$${x}\nnext'), '{x} next');
  });
  test('dialValue leaves no dial-string metacharacter and quotes values with spaces', () => {
    for (const ch of [',', '|', '[', ']', '{', '}', '<', '>', '^', "'", '"', '\\', '!', '$']) {
      const out = dialValue(`a${ch}b c`);
      assert.ok(!out.slice(1, -1).includes(ch), `${ch} survived in ${out}`);
    }
    assert.equal(dialValue('Bob:_:sofia/gateway/x/1'), "'Bob sofia/gateway/x/1'");
    assert.ok(!dialValue(':_$:').includes(':_:'));
    assert.equal(dialValue('John Doe'), "'John Doe'");
  });
});

describe('directory', () => {
  const register = {
    section: 'directory', tag_name: 'domain', key_name: 'name', key_value: '127.0.0.1', action: 'sip_auth',
    sip_auth_username: '1000', sip_auth_realm: '127.0.0.1', sip_auth_nonce: 'n1', sip_auth_response: 'r1',
    sip_to_user: '1000', sip_to_host: '127.0.0.1', sip_from_user: '1000', sip_from_host: '127.0.0.1',
    sip_call_id: '1-23468@127.0.0.1', sip_user_agent: 'sipp', client_port: '15070', key: 'id', user: '1000', domain: '127.0.0.1', ip: '127.0.0.1',
    'FreeSWITCH-Hostname': 'fs-capture',
  };
  test('sip_auth maps to authn_req fields (kazoo-wire §7.1)', () => {
    const req = classifyDirectory(register);
    assert.equal(req.kind, 'authn');
    if (req.kind !== 'authn') return;
    assert.deepEqual(authnReqFields(register, req, 'f1'), {
      'Msg-ID': 'f1', 'Auth-User': '1000', 'Auth-Realm': '127.0.0.1', To: '1000@127.0.0.1', From: '1000@127.0.0.1', Method: 'password',
      'Orig-IP': '127.0.0.1', 'Orig-Port': '15070', 'Auth-Nonce': 'n1', 'Auth-Response': 'r1', 'Call-ID': '1-23468@127.0.0.1',
      'User-Agent': 'sipp', 'Switch-Hostname': 'fs-capture',
    });
  });
  test('gateways lookups and unknown actions are not ours', () => {
    assert.equal(classifyDirectory({ section: 'directory', purpose: 'gateways' }).kind, 'ignored');
    assert.deepEqual(classifyDirectory({ section: 'directory', action: 'reverse-auth-lookup', user: 'a', domain: 'b' }), {
      kind: 'authn', action: 'reverse-auth-lookup', user: 'a', domain: 'b',
    });
    assert.equal(classifyDirectory({ section: 'directory', action: 'group_call', user: 'a', domain: 'b' }).kind, 'ignored');
    assert.equal(classifyDirectory({ section: 'dialplan' }).kind, 'ignored');
  });
  test('a1-hash answer: the user entry with a1-hash, CCVs as ecallmgr_ variables, the dial-string', () => {
    const xml = directoryAnswer({ kind: 'authn', action: 'sip_auth', user: '1000', domain: '127.0.0.1' }, {
      'Auth-Method': 'a1-hash', 'Auth-Password': 'abc123', 'Custom-Channel-Vars': { 'Account-ID': 'acct', 'Presence-ID': '1000@x' },
    })!;
    assertWellFormed(xml);
    assert.deepEqual(attrs(xml, 'domain', 'name'), ['127.0.0.1']);
    assert.deepEqual(attrs(xml, 'user', 'id'), ['1000']);
    assert.deepEqual(attrs(xml, 'param', 'name'), ['dial-string', 'a1-hash']);
    assert.equal(attrs(xml, 'param', 'value')[1], 'abc123');
    assert.deepEqual(attrs(xml, 'variable', 'name'), ['ecallmgr_Account-ID', 'ecallmgr_Presence-ID', 'presence_id']);
  });
  test('password answer keeps the secret byte for byte (only XML-escaped); ip/error methods give no entry', () => {
    const secret = `p"a<s>&$\${x}'`;
    const xml = directoryAnswer({ kind: 'authn', action: 'sip_auth', user: 'u', domain: 'd' }, { 'Auth-Method': 'password', 'Auth-Password': secret })!;
    assertWellFormed(xml);
    assert.equal(attrs(xml, 'param', 'value')[1], secret);
    assert.equal(directoryAnswer({ kind: 'authn', action: 'sip_auth', user: 'u', domain: 'd' }, { 'Auth-Method': 'ip', 'Auth-Password': 'x' }), undefined);
  });
  test('reverse-auth-lookup: the clear password as reverse-auth-user/-pass; an a1-hash cannot answer a challenge', () => {
    const req = { kind: 'authn', action: 'reverse-auth-lookup', user: '1001', domain: 'sip.example.com' } as const;
    const xml = directoryAnswer(req, { 'Auth-Method': 'password', 'Auth-Password': 's3cret&', 'Auth-Username': 'dev1001' })!;
    assertWellFormed(xml);
    assert.deepEqual(attrs(xml, 'user', 'id'), ['1001']);
    assert.deepEqual(attrs(xml, 'param', 'name'), ['reverse-auth-user', 'reverse-auth-pass']);
    assert.deepEqual(attrs(xml, 'param', 'value'), ['dev1001', 's3cret&']);
    assert.equal(directoryAnswer(req, { 'Auth-Method': 'a1-hash', 'Auth-Password': 'abc' }), undefined);
    const fields = authnReqFields({ section: 'directory', action: 'reverse-auth-lookup', user: '1001', domain: 'sip.example.com' }, req, 'f1');
    assert.equal(fields.Method, 'reverse-lookup');
  });
  test('hostile user, domain and CCV values stay inside their attributes and cannot expand', () => {
    const user = `1000"/><user id="evil`;
    const domain = `x"><domain name="y`;
    const xml = directoryAnswer({ kind: 'authn', action: 'sip_auth', user, domain }, {
      'Auth-Method': 'a1-hash', 'Auth-Password': 'h', 'Custom-Channel-Vars': { 'Account-Name': '${system(touch /tmp/pwn)}</variable>', 'bad key"': 'v' },
    })!;
    assertWellFormed(xml);
    assert.deepEqual(attrs(xml, 'user', 'id'), [user]);
    assert.deepEqual(attrs(xml, 'domain', 'name'), [domain]);
    assert.deepEqual(attrs(xml, 'variable', 'name'), ['ecallmgr_Account-Name']);
    assert.ok(!attrs(xml, 'variable', 'value')[0]!.includes('$'));
  });
  test('not-found document', () => {
    const xml = notFoundDocument();
    assertWellFormed(xml);
    assert.deepEqual(attrs(xml, 'result', 'status'), ['not found']);
  });
});

describe('dialplan fetch → route_req', () => {
  const params = {
    section: 'dialplan', 'Unique-ID': 'uuid-1', 'Core-UUID': 'core', 'FreeSWITCH-Hostname': 'fs1', 'Caller-Destination-Number': '1001',
    'Hunt-Destination-Number': '1001', 'Caller-Context': 'default', 'Caller-Caller-ID-Name': 'Extension 1000', 'Caller-Caller-ID-Number': '1000',
    'Call-Direction': 'inbound', variable_sip_from_uri: '1000@127.0.0.1', variable_sip_to_uri: '1001@127.0.0.1:5060', variable_sip_req_host: '127.0.0.1',
    'variable_ecallmgr_Account-ID': 'acct1', 'variable_sip_h_X-ecallmgr_Owner-ID': 'own1', 'variable_sip_h_X-Custom': 'c', variable_cav_Foo: 'bar',
    variable_sip_network_ip: '127.0.0.1', variable_sip_network_port: '15073',
  };
  test('fields per kazoo-wire §4.2: Call-ID = channel UUID, Msg-ID = fetch id, CCVs recovered', () => {
    const fetch = classifyDialplan(params)!;
    assert.equal(fetch.context, 'default');
    const f = routeReqFields(params, fetch, 'fetch-1', 'freeswitch@fs1');
    assert.equal(f['Call-ID'], 'uuid-1');
    assert.equal(f['Msg-ID'], 'fetch-1');
    assert.equal(f.From, '1000@127.0.0.1');
    assert.equal(f.To, '1001@127.0.0.1');
    assert.equal(f.Request, '1001@127.0.0.1');
    assert.deepEqual(f['Custom-Channel-Vars'], { 'Account-ID': 'acct1', 'Owner-ID': 'own1', 'Fetch-ID': 'fetch-1' });
    assert.deepEqual(f['Custom-SIP-Headers'], { 'X-Custom': 'c' });
    assert.deepEqual(f['Custom-Application-Vars'], { Foo: 'bar' });
    assert.equal(f['From-Network-Port'], '15073');
  });
});

describe('dial strings', () => {
  test('username route → user/ leg with leg_delay_start / leg_timeout from CCVs', () => {
    const leg = legString({ 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': 'example.com', 'Custom-Channel-Vars': { 'Endpoint-Delay': '5', 'Endpoint-Timeout': 20, 'Account-ID': 'a1' } }, ctx);
    assert.equal(leg, '[leg_delay_start=5,leg_timeout=20,ecallmgr_Account-ID=a1]user/1001@example.com');
  });
  test('groups: `,` inside, `|` between', () => {
    const a = { 'Invite-Format': 'username', 'To-User': '1', 'To-Realm': 'r' };
    const b = { 'Invite-Format': 'route', Route: 'sip:+15551234@gw.example.net' };
    assert.equal(dialString([[a, b], [a]], ctx), 'user/1@r,sofia/internal/sip:+15551234@gw.example.net|user/1@r');
  });
  test('hostile caller names and numbers cannot add legs, variables or expansions', () => {
    const leg = legString({ 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': 'r', 'Caller-ID-Name': `Eve],sofia/gateway/evil/900|{x=\${system(id)}}`, 'Caller-ID-Number': '1,2' }, ctx)!;
    const vars = leg.slice(1, leg.indexOf(']'));
    assert.equal(leg.slice(leg.indexOf(']') + 1), 'user/1001@r');
    assert.ok(!leg.includes('$'));
    assert.equal([...leg].filter((c) => c === ',').length, vars.split(',').length - 1, 'only our own separators');
  });
  test('unsafe targets are refused (the route is skipped)', () => {
    assert.equal(endpointTarget({ 'Invite-Format': 'username', 'To-User': '1001,user/9', 'To-Realm': 'r' }, ctx), undefined);
    assert.equal(endpointTarget({ 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': 'r/x' }, ctx), undefined);
    assert.equal(endpointTarget({ 'Invite-Format': 'route', Route: 'sofia/internal/${system(id)}' }, ctx), undefined);
    assert.equal(endpointTarget({ 'Invite-Format': 'loopback', Route: '2000|x' }, ctx), undefined);
    assert.deepEqual(endpointTarget({ 'Invite-Format': 'loopback', Route: '2000' }, ctx), { kind: 'leg', target: 'loopback/2000/default' });
  });
  test('a contact behind a proxy keeps its fs_path, and only a plain SIP URI may sit in the brackets', () => {
    const proxied = 'sip:1001@10.0.0.5:5062;fs_path=<sip:10.0.0.1;lr>';
    assert.deepEqual(endpointTarget({ 'Invite-Format': 'route', Route: proxied }, ctx), { kind: 'leg', target: `sofia/internal/${proxied}` });
    assert.equal(endpointTarget({ 'Invite-Format': 'route', Route: 'sip:1001@h;fs_path=<sip:p,user/9@x>' }, ctx), undefined);
    assert.equal(endpointTarget({ 'Invite-Format': 'route', Route: 'sip:1001@h;x=<sip:p>' }, ctx), undefined);
    assert.equal(endpointTarget({ 'Invite-Format': 'route', Route: 'sip:1001@h;fs_path=<sip:p>>' }, ctx), undefined);
  });
  test('a whole dial string from a whapp (callgroup) is kept verbatim', () => {
    const raw = '{ignore_early_media=true}[leg_timeout=10]user/1@r,[leg_delay_start=5]user/2@r:_:user/3@r';
    assert.deepEqual(endpointTarget({ 'Invite-Format': 'route', Route: raw }, ctx), { kind: 'raw', dialString: raw });
  });
});

describe('route_resp → dialplan XML', () => {
  const actions = (xml: string) => attrs(xml, 'action', 'application').map((a, i) => `${a} ${attrs(xml, 'action', 'data')[i] ?? ''}`.trim());
  test('bridge: one extension per step, continue_on_fail until the last', () => {
    const xml = renderRoute({
      Method: 'bridge',
      Routes: [
        { 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': 'r', 'Fife-Step': 0 },
        { 'Invite-Format': 'username', 'To-User': '1002', 'To-Realm': 'r', 'Fife-Step': 0 },
        { 'Invite-Format': 'username', 'To-User': '1003', 'To-Realm': 'r', 'Fife-Step': 1 },
      ],
      'Custom-Channel-Vars': { 'Account-ID': 'a1' },
    }, 'default', ctx);
    assert.equal(xml.kind, 'bridge');
    assertWellFormed(xml.xml);
    assert.deepEqual(attrs(xml.xml, 'context', 'name'), ['default']);
    assert.deepEqual(attrs(xml.xml, 'extension', 'continue'), ['true', 'true', 'true']);
    const list = actions(xml.xml);
    assert.deepEqual(list.filter((a) => a.startsWith('bridge') || a.startsWith('set continue_on_fail')), [
      'set continue_on_fail=true', 'bridge user/1001@r,user/1002@r', 'set continue_on_fail=false', 'bridge user/1003@r',
    ]);
    assert.ok(list.includes('set ecallmgr_Account-ID=a1'));
    assert.ok(list.includes('set hangup_after_bridge=true'));
  });
  test('stepsOf without Fife-Step: each route is tried in turn', () => {
    assert.equal(stepsOf([{ a: 1 }, { a: 2 }]).length, 2);
  });
  test('park: ends in park, pre-park answer, CCVs set', () => {
    const xml = renderRoute({ Method: 'park', Routes: [], 'Pre-Park': 'answer', 'Custom-Channel-Vars': { 'Account-ID': 'a1' } }, 'default', ctx);
    assertWellFormed(xml.xml);
    const list = actions(xml.xml);
    assert.equal(list.at(-1), 'park');
    assert.equal(list.at(-2), 'answer');
    assert.ok(list.includes('set ecallmgr_Account-ID=a1'));
  });
  test('error: respond with the code; hostile messages are neutralised', () => {
    const xml = renderRoute({ Method: 'error', 'Route-Error-Code': '486', 'Route-Error-Message': 'Busy ${system(id)}"/>' }, 'ctx"x', ctx);
    assertWellFormed(xml.xml);
    assert.deepEqual(actions(xml.xml), ['respond 486 Busy {system(id)}/>']);
    assert.equal(respondData('abc', undefined), '500');
  });
  test('bridge with nothing dialable → respond 404', () => {
    const xml = renderRoute({ Method: 'bridge', Routes: [{ 'Invite-Format': 'username', 'To-User': 'a b', 'To-Realm': 'r' }] }, 'default', ctx);
    assert.equal(xml.kind, 'error');
    assert.deepEqual(actions(xml.xml), ['respond 404 No dialable route']);
  });
});
