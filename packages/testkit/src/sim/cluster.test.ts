import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type VirtualClock } from './clock.js';
import { startSimCluster } from './cluster.js';
import { loadSimFile } from './load-config.js';
import { RawEslClient } from './test-support/raw-client.js';

describe('several nodes', { timeout: 30_000 }, () => {
  test('each node has its own hostname, port and Core-UUID and fires only its own events', async () => {
    const cluster = await startSimCluster({ nodes: [{ hostname: 'fs-a', heartbeatS: 20 }, { hostname: 'fs-b', heartbeatS: 20 }] });
    try {
      const [a, b] = cluster.nodes;
      assert.ok(a && b);
      assert.notEqual(a.port, b.port);
      assert.notEqual(a.identity.coreUuid, b.identity.coreUuid);
      const ca = await RawEslClient.connect(a.port);
      const cb = await RawEslClient.connect(b.port);
      for (const c of [ca, cb]) {
        await c.command('auth ClueCon');
        await c.command('event json HEARTBEAT');
      }
      await (cluster.clock as VirtualClock).advance(20_000);
      const ha = (await ca.waitFor((f) => f.body.includes('HEARTBEAT'))).body;
      const hb = (await cb.waitFor((f) => f.body.includes('HEARTBEAT'))).body;
      assert.equal((JSON.parse(ha) as Record<string, string>)['FreeSWITCH-Hostname'], 'fs-a');
      assert.equal((JSON.parse(hb) as Record<string, string>)['Core-UUID'], b.identity.coreUuid);
      assert.equal(ca.events('HEARTBEAT').length, 1);
      ca.close();
      cb.close();
    } finally {
      await cluster.stop();
    }
  });
});

describe('config file and bin', { timeout: 30_000 }, () => {
  test('the example config validates; a bad one is refused with the offending path', async () => {
    const example = fileURLToPath(new URL('../../examples/sim.yaml', import.meta.url));
    const file = await loadSimFile(example);
    assert.equal(file.nodes.length, 2);
    assert.equal(file.nodes[0]?.endpoints[1]?.script[0]?.behaviour?.kind, 'busy');
    const dir = mkdtempSync(join(tmpdir(), 'fife-sim-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'nodes:\n  - endpoints:\n      - user: "1"\n        domain: d\n        password: p\n        behaviour: { kind: sing }\n');
    await assert.rejects(loadSimFile(bad), /nodes\.0\.endpoints\.0\.behaviour/);
  });

  test('fife-sim starts the configured nodes in real time and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fife-sim-'));
    const config = join(dir, 'sim.json');
    writeFileSync(config, JSON.stringify({ nodes: [{ hostname: 'fs-bin', eslPort: 0 }] }));
    const bin = fileURLToPath(new URL('../bin/fife-sim.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', bin, '--config', config, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ESL line in: ${out}`)), 15_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /fs-bin ESL 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      const c = await RawEslClient.connect(port);
      const reply = await c.command('auth ClueCon');
      assert.match(reply.raw, /\+OK accepted/);
      const version = await c.command('api version');
      assert.match(version.body, /^FreeSWITCH Version 1\.10\.12/);
      c.close();
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
