import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EslEvent } from '@fife/esl';
import { RegistrationReplay } from './replay.js';

const event = (subclass: string, user: string): EslEvent => ({ headers: { 'Event-Name': 'CUSTOM', 'Event-Subclass': subclass, username: user } }) as EslEvent;
const callEvent: EslEvent = { headers: { 'Event-Name': 'CHANNEL_CREATE', 'Unique-ID': 'c1' } } as EslEvent;

test('a takeover returns the node’s registration events of the window, oldest first, once', () => {
  let now = 0;
  const replay = new RegistrationReplay(10_000, () => now);
  replay.remember('fs1', event('sofia::register', 'old'));
  now = 5_000;
  replay.remember('fs1', callEvent);
  replay.remember('fs1', event('sofia::register', 'a'));
  replay.remember('fs2', event('sofia::register', 'other-node'));
  now = 12_000;
  replay.remember('fs1', event('sofia::unregister', 'b'));
  const users = replay.takeOver('fs1').map((e) => e.headers.username);
  assert.deepEqual(users, ['a', 'b'], 'older than the window and call events are not replayed');
  assert.deepEqual(replay.takeOver('fs1'), [], 'replayed once');
  assert.deepEqual(replay.takeOver('fs2').map((e) => e.headers.username), ['other-node']);
});
