// docker-compose.yml and the FreeSWITCH configuration it mounts: no secret has a usable default, the
// control ports stay inside the compose network, ESL and mod_xml_curl are authenticated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@fife/testkit';

type Service = { environment?: Record<string, string>; ports?: string[]; secrets?: string[] };
const text = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; secrets?: Record<string, { file?: string }> };
const freeswitchConf = (file: string) => readFileSync(join(repoRoot, 'docker', 'freeswitch', file), 'utf8');

test('every secret-bearing variable is required or read from a docker secret file, never a literal', () => {
  let urlPasswords = 0;
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      const v = String(value);
      if (/PASS|SECRET|TOKEN/i.test(key) && !key.endsWith('_FILE')) {
        assert.match(v, /^\$\{\w+:\?[^}]*\}$/, `${name}.${key} must be \${VAR:?message}, is ${v}`);
      }
      if (key.endsWith('_FILE')) assert.match(v, /^\/run\/secrets\/\w+$/, `${name}.${key} must point into /run/secrets`);
      // Passwords inside URLs (AMQP_URL, COUCH_URL) are required variables too.
      for (const m of v.matchAll(/:\/\/(\$\{[^}]*\}|[^:@/]*):([^@]*)@/g)) {
        assert.match(m[2]!, /^\$\{\w+:\?[^}]*\}$/, `${name}.${key}: the URL password must be a required variable`);
        urlPasswords++;
      }
    }
  }
  assert.ok(urlPasswords >= 2, `URL passwords checked: ${urlPasswords}`);
});

test('no secret-named variable has a default anywhere in the file', () => {
  for (const m of text.matchAll(/\$\{(\w+):-([^}]*)\}/g)) {
    // *_FILE variables name where a secret lives (a path), not the secret.
    assert.ok(!/PASS|SECRET|TOKEN/i.test(m[1]!) || m[1]!.endsWith('_FILE'), `\${${m[1]}:-${m[2]}} gives a secret a default`);
  }
});

test('ecallmgr authenticates to FreeSWITCH and FreeSWITCH to ecallmgr, with docker secrets', () => {
  const env = compose.services.ecallmgr?.environment ?? {};
  assert.equal(env.ECALLMGR_FS_PASSWORD, undefined, 'no ESL password in the environment');
  assert.equal(env.ECALLMGR_FS_PASSWORD_FILE, '/run/secrets/fife_esl_password');
  assert.ok(env.ECALLMGR_XMLCURL_USER, 'xml_curl basic auth is on');
  assert.equal(env.ECALLMGR_XMLCURL_PASSWORD_FILE, '/run/secrets/fife_xmlcurl_password');
  for (const secret of ['fife_esl_password', 'fife_xmlcurl_password']) {
    assert.ok(compose.services.ecallmgr?.secrets?.includes(secret), `ecallmgr mounts ${secret}`);
    assert.ok(compose.services.freeswitch?.secrets?.includes(secret), `freeswitch mounts ${secret}`);
  }
  const esl = freeswitchConf('autoload_configs/event_socket.conf.xml');
  assert.match(esl, /name="password" value="\$\$\{fife_esl_password\}"/, 'ESL password is the secret');
  assert.ok(!/ClueCon/.test(esl.replace(/<!--[\s\S]*?-->/g, '')), 'no ClueCon in event_socket.conf.xml');
  assert.match(esl, /name="apply-inbound-acl" value="[^"]+"/, 'ESL has an inbound ACL');
  const curl = freeswitchConf('autoload_configs/xml_curl.conf.xml');
  assert.match(curl, /name="gateway-credentials" value="freeswitch:\$\$\{fife_xmlcurl_password\}"/, 'mod_xml_curl sends basic auth');
  assert.match(freeswitchConf('vars.xml'), /fife_esl_password=cat \/run\/secrets\/fife_esl_password/);
});

test('control ports are not published; the published admin ports listen on loopback only', () => {
  for (const [name, service] of Object.entries(compose.services)) {
    for (const mapping of (service.ports ?? []).map(String)) {
      const parts = mapping.split('/')[0]!.split(':');
      const container = parts[parts.length - 1]!;
      assert.ok(!['5672', '8021', '8081', '9100'].includes(container), `${name} publishes control port ${container}: ${mapping}`);
      if (['5984', '15672'].includes(container)) assert.equal(parts.length === 3 ? parts[0] : '0.0.0.0', '127.0.0.1', `${name} publishes ${container} beyond loopback: ${mapping}`);
    }
  }
});

test('the secret files compose reads are not part of the repository', () => {
  let tracked = '';
  try {
    tracked = execFileSync('git', ['ls-files', '--', 'secrets', ...Object.values(compose.secrets ?? {}).map((s) => String(s.file ?? '').replace(/^\$\{[^}]*:-([^}]*)\}$/, '$1'))], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return; // not a git checkout: nothing can be committed
  }
  assert.equal(tracked.trim(), '', `secret files are tracked by git: ${tracked}`);
});
