import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { accountDbName, accountIdFromDbName, dbKindOf, isValidDbName, newAccountId } from './db-names.js';

test('account database names round-trip and are valid CouchDB names', () => {
  const id = newAccountId();
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.notEqual(id, newAccountId());
  const name = accountDbName(id);
  assert.equal(name, `account_${id}`);
  assert.ok(isValidDbName(name));
  assert.equal(accountIdFromDbName(name), id);
  assert.equal(dbKindOf(name), 'account');
  assert.equal(dbKindOf('accounts'), 'accounts');
  assert.equal(dbKindOf('registrations'), 'registrations');
  assert.equal(dbKindOf('account_xyz'), undefined);
});

test('malformed account ids and database names are refused', () => {
  assert.throws(() => accountDbName('4F-not-hex'), (error: unknown) => isFifeError(error, 'store.invalid_account_id'));
  assert.equal(isValidDbName('Accounts'), false);
  assert.equal(isValidDbName('1accounts'), false);
  assert.equal(isValidDbName('account/4f/e6/9c5b'), true);
});
