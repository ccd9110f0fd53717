import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fixturePath, hasShared } from '@fife/testkit';

/** Canonical JSON (sorted keys) so multisets of objects compare regardless of key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const multiset = (items: unknown[]): string[] => items.map(canonical).sort();

/** The public scenario files (empty without ../shared; callers skip with sharedSkip). */
export function scenarioFiles(): string[] {
  return hasShared ? readdirSync(fixturePath('callgroup')).filter((f) => f.endsWith('.json')).sort() : [];
}

export function readScenario(file: string): Record<string, unknown> & { expected: Record<string, unknown> } {
  return JSON.parse(readFileSync(fixturePath('callgroup', file), 'utf8')) as Record<string, unknown> & { expected: Record<string, unknown> };
}

/**
 * The FORMAT's comparison: every key listed in `expected` (ring_plan and skipped as multisets,
 * caller_id key by key), keys absent from `expected` are not checked.
 */
export function assertMatchesExpected(got: Record<string, unknown>, expected: Record<string, unknown>, label = ''): void {
  assert.ok(Object.keys(expected).length > 0, `${label}scenario expects something`);
  for (const [key, want] of Object.entries(expected)) {
    if (key === 'ring_plan' || key === 'skipped') {
      assert.deepEqual(multiset((got[key] ?? []) as unknown[]), multiset(want as unknown[]), `${label}${key} (as multiset)`);
    } else if (key === 'caller_id') {
      const have = (got[key] ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(want as Record<string, unknown>)) assert.deepEqual(have[k], v, `${label}caller_id.${k}`);
    } else {
      assert.deepEqual(got[key], want, `${label}${key}`);
    }
  }
}
