import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ContactsCache } from './contacts-cache.js';
import { ChangeFedMemo, type FeedSignals } from './memo.js';
import { lookupForms } from './number-index.js';
import { WindowCache } from './window-cache.js';

class FakeFeed implements FeedSignals {
  live = true;
  tracking = true;
  private readonly changes = new Set<(id: string) => void>();
  onChange(hook: (id: string) => void) {
    this.changes.add(hook);
    return () => this.changes.delete(hook);
  }
  onReset() {
    return () => undefined;
  }
  change(id: string) {
    for (const hook of this.changes) hook(id);
  }
}

describe('ContactsCache', () => {
  test('kept until a registration event, never past the earliest contact expiry, not right after an event', () => {
    let now = 10_000;
    const cache = new ContactsCache(60_000, 1_000, () => now);
    const contacts = [{ uri: 'sip:1001@10.0.0.1:5060' }];
    cache.set('Example.com', '1001', contacts, now, now + 30_000);
    assert.deepEqual(cache.get('example.com', '1001'), contacts, 'realm and user are case-insensitive');
    now += 30_000;
    assert.equal(cache.get('example.com', '1001'), undefined, 'the contact expired at the registrar');

    cache.set('example.com', '1001', contacts, now);
    cache.changed('example.com', '1001');
    assert.equal(cache.get('example.com', '1001'), undefined, 'reg_success drops the entry');
    cache.set('example.com', '1001', contacts, now + 500);
    assert.equal(cache.get('example.com', '1001'), undefined, 'asked within the quiet period after the event: not kept');
    now += 2_000;
    cache.set('example.com', '1001', [], now);
    assert.deepEqual(cache.get('example.com', '1001'), [], 'not registered is an answer too');
    cache.clear();
    assert.equal(cache.get('example.com', '1001'), undefined);
  });

  test('a ttl of 0 keeps nothing', () => {
    const cache = new ContactsCache(0);
    cache.set('example.com', '1001', [], Date.now() - 10_000);
    assert.equal(cache.get('example.com', '1001'), undefined);
  });
});

describe('WindowCache', () => {
  test('answers inside [from, until) at the same document version only, bounded by wall age', () => {
    let wall = 0;
    const cache = new WindowCache<string>(60_000, () => wall);
    cache.set('a/support', { value: 'closed', from: 1_000, until: 5_000 }, 7);
    assert.equal(cache.get('a/support', 1_000, 7), 'closed');
    assert.equal(cache.get('a/support', 4_999, 7), 'closed');
    assert.equal(cache.get('a/support', 5_000, 7), undefined, 'Until is the next transition');
    assert.equal(cache.get('a/support', 999, 7), undefined, 'before the asked time nothing is known');
    assert.equal(cache.get('a/support', 2_000, undefined), undefined, 'feed down: not trusted');
    assert.equal(cache.get('a/support', 2_000, 8), undefined, 'a document changed');
    assert.equal(cache.get('a/support', 2_000, 7), undefined, 'and the entry is gone');
    cache.set('a/support', { value: 'open', from: 0 }, 7);
    wall = 59_999;
    assert.equal(cache.get('a/support', 10_000_000, 7), 'open', 'no Until: only the wall age bounds it');
    wall = 60_000;
    assert.equal(cache.get('a/support', 10_000_000, 7), undefined);
  });
});

describe('ChangeFedMemo', () => {
  test('serves the parsed value until any change; a value read across a change is not kept', async () => {
    const feed = new FakeFeed();
    const memo = new ChangeFedMemo(feed);
    let loads = 0;
    const load = async () => ++loads;
    assert.equal(await memo.get('k', load), 1);
    assert.equal(await memo.get('k', load), 1);
    feed.change('some-doc');
    assert.equal(await memo.get('k', load), 2);
    const slow = memo.get('k2', async () => {
      feed.change('during');
      return 'old';
    });
    assert.equal(await slow, 'old');
    assert.equal(await memo.get('k2', async () => 'new'), 'new', 'the read that saw a change was not kept');
    feed.live = false;
    assert.equal(memo.version, undefined);
    assert.equal(await memo.get('k2', async () => 'while down'), 'while down', 'feed down: read through');
  });
});

test('lookupForms: what a carrier may send for one DID', () => {
  assert.deepEqual(lookupForms('sip:+32 2 555 12 34@203.0.113.5'), ['+3225551234']);
  assert.deepEqual(lookupForms('3225551234'), ['3225551234', '+3225551234']);
  assert.deepEqual(lookupForms('003225551234'), ['003225551234', '+003225551234', '+3225551234']);
  assert.deepEqual(lookupForms('2000'), ['2000']);
});
