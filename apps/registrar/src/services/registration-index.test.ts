import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistrationIndex } from './registration-index.js';
import type { RegistrationRecord } from '../domain/registration.js';

const rec = (id: string, updated_ms: number, aor = 'a@r'): RegistrationRecord => ({
  id,
  aor,
  username: 'a',
  realm: 'r',
  contact: `sip:a@${id}`,
  contact_uri: `sip:a@${id}`,
  binding: id,
  expires: 60,
  reported_expires: 60,
  expires_at: 100,
  last_registration: Math.floor(updated_ms / 1000),
  initial_registration: 0,
  event_timestamp: 0,
  updated_ms,
  wire: {},
});

test('newer versions win, whichever path they come by', () => {
  const index = new RegistrationIndex();
  index.putLocal(rec('x', 2000));
  index.applyStored(rec('x', 1000), '1-a');
  assert.equal(index.get('x')?.updated_ms, 2000, 'an older copy from the feed does not overwrite a newer local write');
  index.applyStored(rec('x', 3000), '2-b');
  assert.equal(index.get('x')?.updated_ms, 3000);
  assert.equal(index.rev('x'), '2-b');
});

test('a local removal is not undone by an older copy; a pending local write survives a remote delete', () => {
  const index = new RegistrationIndex();
  index.applyStored(rec('x', 1000), '1-a');
  index.removeLocal('x', 2000);
  index.applyStored(rec('x', 1000), '1-a');
  assert.equal(index.get('x'), undefined);
  index.putLocal(rec('y', 5000));
  index.removeStored('y');
  assert.ok(index.get('y'), 'the write in flight is newer than what was deleted');
  index.confirm('y', '1-y');
  index.removeStored('y');
  assert.equal(index.get('y'), undefined);
});

test('bindings are grouped by AOR and a reload drops what CouchDB no longer has', () => {
  const index = new RegistrationIndex();
  index.applyStored(rec('a1', 1, 'a@r'), '1');
  index.applyStored(rec('a2', 1, 'a@r'), '1');
  index.applyStored(rec('b1', 1, 'b@r'), '1');
  assert.deepEqual(index.forAor('a@r').map((r) => r.id).sort(), ['a1', 'a2']);
  assert.deepEqual(index.staleIds(new Set(['a1', 'b1'])), ['a2']);
  index.removeStored('a2');
  assert.equal(index.size, 2);
});
