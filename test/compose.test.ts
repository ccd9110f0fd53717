// docker-compose.yml must stay valid and complete: every app has a service, no secret has a default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@fife/testkit';
import { discoverApps } from '@fife/cli';

const file = join(repoRoot, 'docker-compose.yml');
const text = readFileSync(file, 'utf8');

test('docker-compose config -q accepts the file once secrets are given, and refuses it without them', () => {
  const run = (env: NodeJS.ProcessEnv) =>
    execFileSync('docker-compose', ['-f', file, 'config', '-q'], { env: { PATH: process.env.PATH, ...env }, stdio: 'pipe' });
  assert.doesNotThrow(() => run({ FIFE_RABBITMQ_PASSWORD: 'a', COUCHDB_PASSWORD: 'b' }));
  assert.throws(() => run({}), /FIFE_RABBITMQ_PASSWORD|COUCHDB_PASSWORD/);
});

test('every app with a main.ts runs as a compose service, from the one image', () => {
  const compose = parse(text, { merge: true }) as { services: Record<string, { command?: string[]; image?: string }> };
  for (const app of discoverApps()) {
    const service = compose.services[app];
    assert.ok(service, `service ${app} missing`);
    assert.deepEqual(service.command, ['node', '--import', 'tsx', `apps/${app}/src/main.ts`]);
    assert.equal(service.image, 'fife:latest');
  }
});

test('no password has a default value', () => {
  for (const m of text.matchAll(/\$\{(\w*PASS\w*)([^}]*)\}/g)) {
    assert.match(m[2]!, /^:\?/, `${m[1]} must be required (\${VAR:?message}), found \${${m[1]}${m[2]}}`);
  }
});
