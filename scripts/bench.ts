// Runs every benchmark (`<package or app>/bench/*.bench.ts`), one after another so they do not
// compete for the two cores; `npm run bench -- esl` runs those whose path contains "esl".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brokerUrl, repoRoot } from '@fife/testkit';

const filters = process.argv.slice(2);
const benches = ['packages', 'apps']
  .flatMap((top) => readdirSync(join(repoRoot, top)).map((name) => join(repoRoot, top, name, 'bench')))
  .filter((dir) => existsSync(dir))
  .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => join(dir, f)))
  // The cluster load run (`npm run bench:load`) takes minutes: it runs only when asked for by name.
  .filter((file) => (filters.length === 0 ? !file.endsWith('load.bench.ts') : filters.some((f) => relative(repoRoot, file).includes(f))))
  .sort();

if (benches.length === 0) {
  console.error(`bench: nothing matches ${filters.join(' ')}`);
  process.exit(1);
}
const env = { ...process.env, AMQP_URL: await brokerUrl() };
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${relative(repoRoot, file)}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit', env, cwd: repoRoot });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
