import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchCallflow, patternSpecificity } from './callflow-match.js';
import { numberForms } from './numbers.js';
import { numberingSchema } from './documents.js';

const cf = (id: string, numbers: string[], patterns: string[] = []) => ({ id, numbers, patterns });

test('exact numbers win over patterns', () => {
  const flows = [cf('pat', [], ['^2\\d{3}$']), cf('exact', ['2000'])];
  assert.equal(matchCallflow(numberForms('2000'), flows)?.callflow.id, 'exact');
  const other = matchCallflow(numberForms('2001'), flows);
  assert.equal(other?.callflow.id, 'pat');
  assert.equal(other?.by, 'pattern');
});

test('the most specific pattern wins, whatever the order of the callflows', () => {
  const flows = [cf('any', [], ['^\\+?\\d+$']), cf('be', [], ['^\\+32(\\d+)$']), cf('brussels', [], ['^\\+322(\\d+)$'])];
  const plan = numberingSchema.parse({ country_code: '32' });
  const match = matchCallflow(numberForms('025551234', plan), flows);
  assert.equal(match?.callflow.id, 'brussels');
  assert.deepEqual(match?.captures, ['5551234']);
  assert.equal(matchCallflow(numberForms('+3235551234', plan), [...flows].reverse())?.callflow.id, 'be');
  assert.equal(matchCallflow(numberForms('12345'), flows)?.callflow.id, 'any');
});

test('specificity counts literal characters only', () => {
  assert.equal(patternSpecificity('^1\\d{3}$'), 1);
  assert.equal(patternSpecificity('^10\\d\\d$'), 2);
  assert.equal(patternSpecificity('^\\+32[0-9]+$'), 3);
});

test('a configured national callflow number is reached by the E.164 and no-plus forms', () => {
  const plan = numberingSchema.parse({ country_code: '32' });
  const flows = [cf('main', ['025551234'])];
  for (const dialed of ['+3225551234', '025551234', '3225551234']) {
    assert.equal(matchCallflow(numberForms(dialed, plan), flows)?.callflow.id, 'main', dialed);
  }
  assert.equal(matchCallflow(numberForms('+3225551234'), flows), undefined, 'not without a numbering plan');
});
