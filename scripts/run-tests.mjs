#!/usr/bin/env node
// Runs every *.test.ts below the given folders (default: packages, apps, test) with node's own
// test runner and the tsx loader. Node 20's runner cannot glob .ts files itself, hence this file.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith('--'));
const passThrough = args.filter((a) => a.startsWith('--'));

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = (roots.length ? roots : ['packages', 'apps', 'test'])
  .flatMap((r) => {
    const path = join(root, r);
    return statSync(path).isDirectory() ? collect(path, []) : [path];
  })
  .map((f) => relative(root, f))
  .sort();

if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', '--test-concurrency=2',
    // A test file that leaves a handle open must not hang the run; a stuck test fails after 3 min.
    '--test-force-exit', '--test-timeout=180000',
    ...passThrough, ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
