import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { encodeSegment, registration, system } from '@fife/api';
import { handler, type Bus } from '@fife/bus';
import { regTarget, showRegistrations } from './reg.js';
import { capture, peer, runFife } from '../output/test-helpers.js';
import { testVhost } from '@fife/testkit';

describe('fife reg', () => {
  let url: string;
  let registrar: Bus;
  const realm = `reg-${nanoid(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}.cli.test`;
  const contact = (user: string, ip: string) => ({ Username: user, Realm: realm, Contact: `<sip:${user}@${ip}:5060>`, 'Source-IP': ip, 'Source-Port': '5060', 'User-Agent': `phone ${user}`, Expires: 300, 'Event-Timestamp': 63_900_000_000 });

  before(async () => {
    url = await testVhost('cli-commands');
    // A stand-in registrar for one realm: answers reg_query as the registrar does and answers ping.
    registrar = await peer(
      url,
      'registrar',
      [
        { exchange: 'registrar', key: `registration.query.${encodeSegment(realm)}.*` },
        { exchange: 'fife', key: 'system.ping.registrar' },
      ],
      [
        handler(registration.query, (m, ctx) => {
          const all = [contact('1001', '192.0.2.11'), contact('1002', '192.0.2.12')];
          const found = all.filter((c) => !m.Username || c.Username === m.Username);
          return found.length ? ctx.reply(registration.queryResp, { Fields: found }) : ctx.reply(registration.queryError, {});
        }),
        handler(system.pingReq, (m, ctx) => (m.App === 'registrar' ? ctx.reply(system.pingResp, { 'Uptime-Seconds': 1, Ready: true }) : undefined)),
      ],
    );
  });
  after(() => registrar.close());

  test('the binary: a realm as a table, one user as JSON; exit 0 found, 1 none', async () => {
    const table = await runFife(['reg', '--realm', realm, '--timeout', '2000'], { AMQP_URL: url });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^USER +REALM +CONTACT +SOURCE +USER-AGENT +EXPIRES$/m);
    assert.match(table.stdout, new RegExp(`^1001 +${realm.replace(/\./g, '\\.')} +<sip:1001@192\\.0\\.2\\.11:5060> +192\\.0\\.2\\.11:5060 +phone 1001 +300s$`, 'm'));
    assert.match(table.stdout, /2 registrations/);

    const one = await runFife(['reg', `1002@${realm}`, '--json', '--timeout', '2000'], { AMQP_URL: url });
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual((JSON.parse(one.stdout) as Array<{ Contact: string }>).map((r) => r.Contact), ['<sip:1002@192.0.2.12:5060>']);

    const none = await runFife(['reg', `1009@${realm}`, '--timeout', '2000'], { AMQP_URL: url });
    assert.equal(none.code, 1, none.stderr);
    assert.match(none.stdout, /no registrations for 1009@/);
  });

  test('no registrar at all is exit 3; a malformed AOR is exit 2', async () => {
    const io = capture();
    // A vhost no test puts a responder in: nobody answers.
    assert.equal(await showRegistrations(await testVhost('cli-empty'), { aor: `1001@${realm}`, timeoutMs: 300 }, io), 3);
    assert.match(io.stderr(), /no registrar answered within 300 ms/);
    assert.deepEqual(regTarget({ aor: 'nobody' }), { error: 'nobody: expected USER@REALM, e.g. 1001@sip.example.com' });
    assert.deepEqual(regTarget({}), { realm: 'all' });
    const bad = capture();
    assert.equal(await showRegistrations(url, { aor: '@x', timeoutMs: 300 }, bad), 2);
  });
});
