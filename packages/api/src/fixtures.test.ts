import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fixturePath, sharedSkip } from '@fife/testkit';
import { build, findMessage, topicMatches, validate, type MessageDef, type SenderIdentity } from './index.js';

/** Conformance: every kapi fixture is recognised, valid, rebuildable by Fife, and keyed as documented. */

interface Fixture {
  file: string;
  body: Record<string, unknown>;
  /** Only for kamailio-wire/: what the broker saw. */
  wire?: { exchange: string; routingKey: string };
}

function loadFixtures(dir: string): Fixture[] {
  const path = fixturePath(...dir.split('/').filter(Boolean));
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const raw = JSON.parse(readFileSync(`${path}/${file}`, 'utf8')) as Record<string, unknown>;
      if (raw.body && typeof raw.body === 'object') {
        return {
          file,
          body: raw.body as Record<string, unknown>,
          wire: { exchange: String(raw.exchange), routingKey: String(raw.routingKey) },
        };
      }
      return { file, body: raw };
    });
}

function allFixtures(): Fixture[] {
  if (sharedSkip) return [];
  return [...loadFixtures('kapi'), ...loadFixtures('kapi/kamailio-wire').map((f) => ({ ...f, file: `kamailio-wire/${f.file}` }))];
}

function defOf(f: Fixture): MessageDef<any> {
  const def = findMessage(f.body['Event-Category'], f.body['Event-Name']);
  assert.ok(def, `${f.file}: no declaration for ${String(f.body['Event-Category'])}/${String(f.body['Event-Name'])}`);
  return def;
}

function valid(def: MessageDef<any>, body: unknown): Record<string, unknown> {
  const result = validate(def, body);
  if (!result.ok) assert.fail(result.error.message);
  return result.value as Record<string, unknown>;
}

const sender: SenderIdentity = { appName: 'fife-test', appVersion: '0.0.1', node: 'fife-test@host', serverId: 'fife-test-reply' };
/** A replier: Kazoo replies without Server-ID unless they expect a follow-up (kazoo-wire §1.4). */
const replier: SenderIdentity = { appName: 'fife-test', appVersion: '0.0.1', node: 'fife-test@host' };
const DEFAULTED = ['App-Name', 'App-Version', 'Node', 'Msg-ID', 'Server-ID'];

describe('kapi fixtures', { skip: sharedSkip }, () => {
  const fixtures = allFixtures();

  test('there are fixtures in both folders', () => {
    assert.ok(fixtures.filter((f) => !f.wire).length >= 14);
    assert.ok(fixtures.filter((f) => f.wire).length >= 8);
  });

  for (const f of fixtures) {
    describe(f.file, () => {
      test('is identified and validates', () => {
        const def = defOf(f);
        const value = valid(def, f.body);
        assert.equal(value['Event-Name'], f.body['Event-Name']);
      });

      test('rebuilt by Fife, it round-trips with the exact names and default headers', () => {
        const def = defOf(f);
        const built = build(def, f.body as never, replier) as Record<string, unknown>;
        assert.deepEqual(Object.keys(built).sort(), Object.keys(f.body).sort(), 'no key added, dropped or renamed');
        for (const h of DEFAULTED) if (h in f.body) assert.equal(built[h], f.body[h], `${h} preserved`);
        assert.deepEqual(valid(def, JSON.parse(JSON.stringify(built))), built, 'build → JSON → validate is stable');
        assert.deepEqual(built, valid(def, f.body), 'building equals validating the received message');
      });

      test('built without default headers, the sender fills them in', () => {
        const def = defOf(f);
        const fields = Object.fromEntries(Object.entries(f.body).filter(([k]) => !DEFAULTED.includes(k)));
        const built = build(def, fields as never, sender) as Record<string, unknown>;
        assert.equal(built['App-Name'], sender.appName);
        assert.equal(built['App-Version'], sender.appVersion);
        assert.equal(built.Node, sender.node);
        assert.equal(built['Server-ID'], sender.serverId);
        assert.match(String(built['Msg-ID']), /^[A-Za-z0-9_-]{21}$/);
        const full = valid(def, f.body);
        for (const k of Object.keys(fields)) assert.deepEqual(built[k], full[k], k);
      });
    });
  }

  test('lenient values of the fixtures are normalised', () => {
    const byFile = new Map(fixtures.map((f) => [f.file, f]));
    const authnReq = byFile.get('authn_req.json');
    assert.ok(authnReq);
    const req = valid(defOf(authnReq), authnReq.body);
    assert.equal(authnReq.body.Expires, '3600');
    assert.equal(req.Expires, 3600);
    assert.equal(req['Orig-Port'], '34012', 'ports stay text');
    const bridge = byFile.get('command_bridge.json');
    assert.ok(bridge);
    const cmd = valid(defOf(bridge), bridge.body);
    assert.equal(bridge.body['Ignore-Early-Media'], 'true');
    assert.equal(cmd['Ignore-Early-Media'], true);
    const err = byFile.get('authn_err.json');
    assert.ok(err);
    assert.equal(valid(defOf(err), err.body)['Defer-Response'], 'true', 'Defer-Response keeps the string Kazoo sends');
  });
});

/** Rows of kapi/README.md's table: file, exchange and routing key (a literal key, or a reference to another message). */
function readmeRows(): Array<{ file: string; exchange: string; key: string }> {
  const text = readFileSync(fixturePath('kapi', 'README.md'), 'utf8');
  return text
    .split('\n')
    .filter((line) => /^\| [\w.-]+\.json \|/.test(line))
    .map((line) => {
      const cells = line.split('|').map((c) => c.trim());
      return { file: cells[1] ?? '', exchange: (cells[3] ?? '').split(' ')[0] ?? '', key: cells[4] ?? '' };
    });
}

/** The targeted rows say whose Server-ID (or Control-Queue) they go to; this is which fixture that is. */
const targets: Record<string, { file: string; field: string }> = {
  'authn_resp.json': { file: 'authn_req.json', field: 'Server-ID' },
  'authn_err.json': { file: 'authn_req_kamailio.json', field: 'Server-ID' },
  'reg_query_resp.json': { file: 'reg_query.json', field: 'Server-ID' },
  'route_resp_park.json': { file: 'route_req.json', field: 'Server-ID' },
  'route_resp_bridge.json': { file: 'route_req.json', field: 'Server-ID' },
  'route_win.json': { file: 'route_resp_park.json', field: 'Server-ID' },
  'command_bridge.json': { file: 'route_win.json', field: 'Control-Queue' },
};

describe('routing keys of the fixtures', { skip: sharedSkip }, () => {
  const fixtures = new Map(allFixtures().map((f) => [f.file, f]));

  test('kapi/README.md table', () => {
    const rows = readmeRows();
    assert.equal(rows.length, 14);
    for (const row of rows) {
      const f = fixtures.get(row.file);
      assert.ok(f, row.file);
      const def = defOf(f);
      const msg = valid(def, f.body);
      assert.equal(def.exchange, row.exchange, `${row.file} exchange`);
      const literal = /^`([^`]+)`$/.exec(row.key);
      if (literal) {
        assert.equal(def.routingKey(msg), literal[1], `${row.file} routing key`);
        assert.ok(def.bindingKeys.some((b: string) => topicMatches(b, literal[1] ?? '')), `${row.file}: a binding key matches`);
      } else {
        const target = targets[row.file];
        assert.ok(target, `${row.file}: "${row.key}" has a known target`);
        const to = fixtures.get(target.file)?.body[target.field];
        assert.equal(typeof to, 'string');
        assert.equal(def.routingKey(msg, to as string), to, `${row.file} goes to ${target.file}'s ${target.field}`);
      }
    }
  });

  test('kamailio-wire: the keys seen on the broker', () => {
    const wire = [...fixtures.values()].filter((f) => f.wire);
    for (const f of wire) {
      const def = defOf(f);
      const msg = valid(def, f.body);
      assert.equal(def.exchange, f.wire?.exchange, `${f.file} exchange`);
      const key = f.wire?.routingKey ?? '';
      if (def.exchange === 'targeted') {
        assert.equal(def.routingKey(msg, key), key, f.file);
      } else {
        assert.equal(def.routingKey(msg), key, `${f.file} routing key`);
        assert.ok(def.bindingKeys.some((b: string) => topicMatches(b, key)), `${f.file}: a binding key matches`);
      }
    }
    assert.ok(wire.some((f) => f.wire?.exchange !== 'targeted'));
  });
});
