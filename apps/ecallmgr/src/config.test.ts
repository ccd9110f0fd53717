import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FifeError } from '@fife/api';
import { loadConfig } from '@fife/whapp';
import { ecallmgrConfig, parseFsNodes, settingsOf } from './config.js';

const load = (env: Record<string, string>) => settingsOf(loadConfig(ecallmgrConfig, env));

test('node lists: host[:port] shorthand and JSON with per-node passwords', () => {
  assert.deepEqual(parseFsNodes('fs1, fs2:8022'), [{ host: 'fs1', port: 8021 }, { host: 'fs2', port: 8022 }]);
  assert.deepEqual(parseFsNodes('[{"name":"a","host":"10.0.0.1","password":"x"}]'), [{ name: 'a', host: '10.0.0.1', port: 8021, password: 'x' }]);
  assert.deepEqual(parseFsNodes(''), []);
});

test('defaults: timeouts below the 5 s xml_curl timeout, leases on, no basic auth', () => {
  const s = load({});
  assert.ok(s.authnTimeoutMs < 5000 && s.routeTimeoutMs < 5000);
  assert.equal(s.leases, true);
  assert.equal(s.xmlCurl.credentials, undefined);
  assert.equal(s.defaultPassword, 'ClueCon');
});

test('bad values are refused naming the variable', () => {
  assert.throws(() => load({ ECALLMGR_FS_NODES: 'fs1:notaport' }), (e: unknown) => e instanceof FifeError && /ECALLMGR_FS_NODES/.test(e.message));
  assert.throws(() => load({ ECALLMGR_FS_NODES: 'a,a' }), /twice/);
  assert.throws(() => load({ ECALLMGR_XMLCURL_USER: 'fs' }), /go together/);
  assert.throws(() => load({ ECALLMGR_ROUTE_TIMEOUT_MS: '0' }), /ECALLMGR_ROUTE_TIMEOUT_MS/);
});

test('secrets from files (docker secrets) win over the plain variables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecallmgr-config-'));
  try {
    writeFileSync(join(dir, 'esl'), 'from-file\n');
    writeFileSync(join(dir, 'curl'), 'curl-secret\n');
    const s = load({
      ECALLMGR_FS_PASSWORD: 'plain',
      ECALLMGR_FS_PASSWORD_FILE: join(dir, 'esl'),
      ECALLMGR_XMLCURL_USER: 'freeswitch',
      ECALLMGR_XMLCURL_PASSWORD_FILE: join(dir, 'curl'),
    });
    assert.equal(s.defaultPassword, 'from-file');
    assert.deepEqual(s.xmlCurl.credentials, { user: 'freeswitch', password: 'curl-secret' });
    assert.throws(() => load({ ECALLMGR_FS_PASSWORD_FILE: join(dir, 'missing') }), /ECALLMGR_FS_PASSWORD_FILE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the factory ESL password is refused for a node off loopback, kept for one on this machine', () => {
  assert.throws(() => load({ ECALLMGR_FS_NODES: 'fs1.example.net' }), (e: unknown) => e instanceof FifeError && /ECALLMGR_FS_PASSWORD: node fs1\.example\.net/.test(e.message));
  assert.throws(() => load({ ECALLMGR_FS_NODES: '[{"host":"10.0.0.1","password":"ClueCon"}]' }), /factory ESL password/);
  assert.equal(load({ ECALLMGR_FS_NODES: '127.0.0.1:8021,localhost:8022' }).defaultPassword, 'ClueCon');
  assert.equal(load({ ECALLMGR_FS_NODES: 'fs1.example.net', ECALLMGR_FS_PASSWORD: 's3cret-esl' }).nodes.length, 1);
  assert.equal(load({ ECALLMGR_FS_NODES: '[{"host":"10.0.0.1","password":"own"}]' }).nodes.length, 1);
});
