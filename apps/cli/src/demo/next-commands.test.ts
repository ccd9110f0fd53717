import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextCommands } from './next-commands.js';

test('the next commands name only commands this build has, with the demo account and times filled in', () => {
  const text = nextCommands(['status', 'route'], new Date('2026-11-22T10:00:06Z'));
  assert.match(text, /npx fife status/);
  assert.match(text, /npx fife route --from 1001@demo\.fife\.local --to 5000 --at 2026-11-22T09:30:06Z/);
  assert.doesNotMatch(text, /fife tail|fife originate|fife calendar|fife callgroup/);
  assert.match(text, /Ctrl-C stops everything/);
});
