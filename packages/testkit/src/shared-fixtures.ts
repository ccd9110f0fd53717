import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Conformance data (Kazoo messages, FreeSWITCH captures, call-group scenarios, iCalendar corpus)
 * lives in ../shared beside the checkout and is never copied into the repo. Where it is absent,
 * tests that need it must report themselves skipped, never passed: pass `sharedSkip` as the
 * `skip` option of node:test's `test`/`describe`.
 */
export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const sharedDir = resolve(process.env.FIFE_SHARED_DIR ?? join(repoRoot, '..', 'shared'));
export const hasShared = existsSync(join(sharedDir, 'fixtures'));
export const sharedSkip: string | false = hasShared ? false : `conformance data not found at ${sharedDir}`;

export function sharedPath(...parts: string[]): string {
  return join(sharedDir, ...parts);
}

export function fixturePath(...parts: string[]): string {
  return join(sharedDir, 'fixtures', ...parts);
}
