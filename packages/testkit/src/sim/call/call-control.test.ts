import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VirtualClock } from '../clock.js';
import type { FsEvent } from '../event.js';
import { SimNode } from '../node.js';
import type { DialplanAction } from './dialplan.js';

const D = '127.0.0.1';

/** Static dialplan: 7000 answers and plays 3 s of silence then hangs up; 5001 answers and parks; the rest parks. */
function staticPlan(dest: string): DialplanAction[] {
  if (dest === '5001') return [{ application: 'answer', data: '' }, { application: 'park', data: '' }];
  if (dest === '7000') {
    return [
      { application: 'answer', data: '' },
      { application: 'playback', data: 'silence_stream://3000' },
      { application: 'hangup', data: 'NORMAL_CLEARING' },
    ];
  }
  return [{ application: 'park', data: '' }];
}

describe('call control over the API (park, originate &park(), uuid_bridge, uuid_transfer)', { timeout: 30_000 }, () => {
  const clock = new VirtualClock();
  let node: SimNode;
  const events: FsEvent[] = [];
  before(async () => {
    node = new SimNode({
      clock,
      authCalls: false,
      staticDialplan: staticPlan,
      endpoints: [
        { user: '1000', domain: D, password: 'x' },
        { user: '1001', domain: D, password: 'x', behaviour: { kind: 'answer', afterS: 2 } },
      ],
    });
    node.onEvent((e) => events.push(e));
    await node.start();
  });
  after(async () => node.stop());

  test('a parked caller bridged to an originated leg; the callee hanging up ends both', async () => {
    const caller = await node.phone('1000').call('5000');
    await clock.advance(10);
    assert.ok(events.some((e) => e.name === 'CHANNEL_PARK' && e.get('Unique-ID') === caller.uuid));
    const origin = await node.api('originate', 'loopback/5001/default &park()');
    assert.match(origin, /^\+OK /);
    const legUuid = origin.trim().split(' ')[1]!;
    assert.equal(await node.api('uuid_answer', caller.uuid), '+OK\n');
    assert.equal(await node.api('uuid_bridge', `${caller.uuid} ${legUuid}`), `+OK ${caller.uuid}\n`);
    await clock.advance(10);
    const bridge = events.find((e) => e.name === 'CHANNEL_BRIDGE' && e.get('Unique-ID') === caller.uuid);
    assert.equal(bridge?.get('Bridge-B-Unique-ID'), legUuid);
    assert.equal(node.channel(caller.uuid)?.isUp, true, 'park gave way to the bridge, the call stays up');
    node.channel(legUuid)?.hangup('NORMAL_CLEARING');
    await clock.advance(10);
    assert.equal(await caller.done, 'NORMAL_CLEARING');
    assert.ok(events.some((e) => e.name === 'CHANNEL_UNBRIDGE' && e.get('Unique-ID') === caller.uuid));
    assert.equal(node.engine.channels.size, 0);
  });

  test('uuid_transfer moves a parked call to another extension, which runs from the dialplan', async () => {
    const caller = await node.phone('1000').call('5000');
    await clock.advance(10);
    assert.equal(await node.api('uuid_transfer', `${caller.uuid} 7000 XML default`), '+OK\n');
    await clock.advance(10);
    assert.equal(node.channel(caller.uuid)?.answered, true);
    await clock.advance(3000);
    assert.equal(await caller.done, 'NORMAL_CLEARING');
    const apps = events.filter((e) => e.name === 'CHANNEL_EXECUTE' && e.get('Unique-ID') === caller.uuid).map((e) => e.get('Application'));
    assert.deepEqual(apps, ['park', 'answer', 'playback', 'hangup']);
  });
});
