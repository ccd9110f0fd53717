import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sharedSkip } from '@fife/testkit';
import { assertMatchesExpected, readScenario, scenarioFiles } from '../testing/expected.js';
import { planScenario } from './scenario.js';
import { ScenarioSchema } from './schema/scenario.js';

const files = scenarioFiles();

describe('call-group scenario corpus', { skip: sharedSkip }, () => {
  test('the corpus is there and every file follows FORMAT', () => {
    assert.ok(files.length >= 50, `expected the public corpus, found ${files.length} files`);
    for (const file of files) {
      const parsed = ScenarioSchema.safeParse(readScenario(file));
      assert.ok(parsed.success, `${file}: ${parsed.success ? '' : parsed.error.message}`);
    }
  });

  for (const file of files) {
    test(file, () => {
      const scenario = readScenario(file);
      assertMatchesExpected(planScenario(scenario) as unknown as Record<string, unknown>, scenario.expected);
    });
  }
});
