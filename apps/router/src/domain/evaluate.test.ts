import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCall, type CallInput } from './evaluate.js';
import { commandsOf, routeRespFields } from './route-resp.js';
import { MemoryWorld } from '../testing/memory-world.js';
import type { Decision } from './plan.js';

const AT = new Date('2026-11-23T07:30:00Z');

function call(world: MemoryWorld, dialed: string, caller: CallInput['caller'] = { deviceId: 'dev-caller' }): Promise<Awaited<ReturnType<typeof evaluateCall>>> {
  return evaluateCall({ accountId: world.accountId, dialed, at: AT, callId: 'c1', caller }, world);
}

function bridge(decision: Decision | undefined) {
  assert.equal(decision?.method, 'bridge', JSON.stringify(decision));
  return (decision as Extract<Decision, { method: 'bridge' }>).steps;
}

function base(): MemoryWorld {
  return new MemoryWorld({ numbering: { country_code: '32' } })
    .addDevice('dev-caller', '1000', { owner_id: 'u-alice', caller_id: { internal: { name: 'Alice', number: '1000' } } })
    .addUser('u-alice', { first_name: 'Alice' });
}

describe('evaluateCall', () => {
  test('device: one leg per registered contact, with the caller-id of the calling device', async () => {
    const world = base().addDevice('dev-2000', '2000', {}, ['sip:2000@10.0.0.2:5060', 'sip:2000@10.0.0.3:5062']);
    world.addCallflow('cf-2000', ['2000'], { module: 'device', data: { id: 'dev-2000' } });
    const result = await call(world, '2000');
    const steps = bridge(result.decision);
    assert.equal(steps.length, 1);
    assert.deepEqual(steps[0]!.map((l) => l.route), ['sip:2000@10.0.0.2:5060', 'sip:2000@10.0.0.3:5062']);
    assert.deepEqual(steps[0]![0]!.callerId, { name: 'Alice', number: '1000' });
    assert.equal(result.callflowId, 'cf-2000');
    assert.ok(result.reasons.some((r) => r.includes('callflow cf-2000 by number 2000')), result.reasons.join('\n'));
  });

  test('unregistered device takes the unavailable branch; without one the call fails 480', async () => {
    const world = base().addDevice('dev-2001', '2001', {}, []);
    world.addCallflow('cf-2001', ['2001'], {
      module: 'device',
      data: { id: 'dev-2001' },
      children: { _: { module: 'hangup', data: { cause: 'USER_BUSY' } } },
    });
    world.addCallflow('cf-2002', ['2002'], { module: 'device', data: { id: 'dev-2001' } });
    const withBranch = await call(world, '2001');
    assert.equal(withBranch.decision?.method, 'error');
    assert.equal((withBranch.decision as { cause: string }).cause, 'USER_BUSY');
    assert.ok(withBranch.reasons.some((r) => r.includes('not registered')));
    const without = await call(world, '2002');
    assert.deepEqual(without.decision && routeRespFields(without.decision, { accountId: world.accountId })['Route-Error-Code'], '480');
  });

  test('user with two devices rings both; forward after 10 s limits them and delays the target', async () => {
    const world = base()
      .addUser('u-bob', { first_name: 'Bob', call_forward: { no_answer: { number: '3000', after_s: 10 } } })
      .addDevice('dev-bob-desk', '2101', { owner_id: 'u-bob' })
      .addDevice('dev-bob-soft', '2102', { owner_id: 'u-bob' })
      .addDevice('dev-carol', '3000');
    world.addCallflow('cf-bob', ['2100'], { module: 'user', data: { id: 'u-bob' } });
    world.addCallflow('cf-carol', ['3000'], { module: 'device', data: { id: 'dev-carol' } });
    const steps = bridge((await call(world, '2100')).decision);
    assert.equal(steps.length, 1);
    const legs = steps[0]!;
    assert.deepEqual(legs.map((l) => [l.toUser, l.delayS, l.timeoutS]), [['2101', undefined, 10], ['2102', undefined, 10], ['3000', 10, undefined]]);
    const routes = routeRespFields({ method: 'bridge', steps }, { accountId: world.accountId }).Routes as Array<Record<string, any>>;
    assert.equal(routes[0]!['Custom-Channel-Vars']['Endpoint-Timeout'], '10');
    assert.equal(routes[2]!['Custom-Channel-Vars']['Endpoint-Delay'], '10');
    assert.deepEqual(routes.map((r) => r['Fife-Step']), [0, 0, 0]);
  });

  test('busy with call waiting off forwards on busy; immediate forward skips the devices', async () => {
    const world = base()
      .addUser('u-dan', { first_name: 'Dan', call_waiting: { enabled: false }, call_forward: { busy: { number: '3000' } } })
      .addDevice('dev-dan', '2200', { owner_id: 'u-dan' })
      .addDevice('dev-carol', '3000')
      .addUser('u-eve', { first_name: 'Eve', call_forward: { immediate: { number: '3000' } } })
      .addDevice('dev-eve', '2300', { owner_id: 'u-eve' });
    world.calls.set('2200', 1);
    world.addCallflow('cf-dan', ['2200'], { module: 'user', data: { id: 'u-dan' } });
    world.addCallflow('cf-eve', ['2300'], { module: 'user', data: { id: 'u-eve' } });
    world.addCallflow('cf-carol', ['3000'], { module: 'device', data: { id: 'dev-carol' } });
    const dan = await call(world, '2200');
    assert.deepEqual(bridge(dan.decision)[0]!.map((l) => l.toUser), ['3000']);
    assert.ok(dan.reasons.some((r) => /Dan busy .*call waiting off/.test(r)), dan.reasons.join('\n'));
    world.asked = [];
    const eve = await call(world, '2300');
    assert.deepEqual(bridge(eve.decision)[0]!.map((l) => l.toUser), ['3000']);
    assert.ok(!world.asked.includes('reg:2300'), 'an immediate forward never looks at the own devices');
  });

  test('forward after 10 s to a target with failover steps keeps them all: first step in the group, the rest after', async () => {
    const world = base()
      .addUser('u-fay', { first_name: 'Fay', call_forward: { no_answer: { number: '+3225551234', after_s: 10 } } })
      .addDevice('dev-fay', '2700', { owner_id: 'u-fay' })
      .addResource({ name: 'be', rules: ['^\\+32\\d+$'], gateways: [{ server: 'gw1.example.net' }, { server: 'gw2.example.net' }] })
      .addUser('u-gus', { first_name: 'Gus', call_forward: { no_answer: { number: '2801', after_s: 5 } } })
      .addDevice('dev-gus', '2800', { owner_id: 'u-gus' })
      .addDevice('dev-hal', '2801', {}, []);
    world.addCallflow('cf-fay', ['2700'], { module: 'user', data: { id: 'u-fay' } });
    world.addCallflow('cf-gus', ['2790'], { module: 'user', data: { id: 'u-gus' } });
    world.addCallflow('cf-hal', ['2801'], { module: 'device', data: { id: 'dev-hal' } });
    const fay = await call(world, '2700');
    const steps = bridge(fay.decision);
    assert.deepEqual(
      steps.map((s) => s.map((l) => [l.toUser ?? l.route, l.delayS, l.timeoutS])),
      [
        [['2700', undefined, 10], ['sip:+3225551234@gw1.example.net', 10, undefined]],
        [['sip:+3225551234@gw2.example.net', undefined, undefined]],
      ],
    );
    assert.ok(fay.reasons.some((r) => r.includes('then 1 failover step(s)')), fay.reasons.join('\n'));
    // A target that cannot ring (2801 is not registered, no unavailable branch): the own device rings its full time.
    const gus = await call(world, '2790');
    assert.deepEqual(bridge(gus.decision).map((s) => s.map((l) => [l.toUser, l.timeoutS])), [[['2800', 20]]]);
    assert.ok(gus.reasons.some((r) => r.includes('forward target 2801 cannot ring')), gus.reasons.join('\n'));
  });

  test('a device with call waiting off that is in a call is busy (busy child, else 486)', async () => {
    const world = base().addDevice('dev-2500', '2500', { call_waiting: { enabled: false } });
    world.calls.set('2500', 1);
    world.addCallflow('cf-2500', ['2500'], { module: 'device', data: { id: 'dev-2500' } });
    world.addCallflow('cf-2501', ['2501'], { module: 'device', data: { id: 'dev-2500' }, children: { busy: { module: 'hangup', data: { cause: 'CALL_REJECTED' } } } });
    assert.equal((await call(world, '2500')).decision && routeRespFields((await call(world, '2500')).decision!, { accountId: world.accountId })['Route-Error-Code'], '486');
    assert.equal(((await call(world, '2501')).decision as { cause: string }).cause, 'CALL_REJECTED');
    world.calls.set('2500', 0);
    assert.equal(bridge((await call(world, '2500')).decision)[0]![0]!.toUser, '2500');
  });

  test('forwards that cycle end with a loop error, never a hang', async () => {
    const world = base()
      .addUser('u-a', { call_forward: { immediate: { number: '4001' } } })
      .addUser('u-b', { call_forward: { immediate: { number: '4000' } } });
    world.addCallflow('cf-a', ['4000'], { module: 'user', data: { id: 'u-a' } });
    world.addCallflow('cf-b', ['4001'], { module: 'user', data: { id: 'u-b' } });
    world.addCallflow('cf-self', ['4002'], { module: 'transfer', data: { number: '4002' } });
    const cycle = await call(world, '4000');
    assert.equal(cycle.decision?.method, 'error');
    assert.equal((cycle.decision as { cause: string }).cause, 'EXCHANGE_ROUTING_ERROR');
    assert.ok(cycle.reasons.some((r) => r.includes('loop: 4000 → 4001 → 4000')), cycle.reasons.join('\n'));
    const self = await call(world, '4002');
    assert.equal((self.decision as { code: string }).code, '483');
  });

  test('calendar branches open / closed at the call time, with the reason', async () => {
    const world = base().addDevice('dev-desk', '5001');
    world.calendars.set('support', (at) =>
      at.getUTCHours() >= 8 ? { status: 'open', until: '2026-11-23T17:00:00Z' } : { status: 'closed', until: '2026-11-23T08:00:00Z' },
    );
    world.addCallflow('cf-support', ['5000'], {
      module: 'calendar',
      data: { calendar_id: 'support', name: 'Support' },
      children: { open: { module: 'device', data: { id: 'dev-desk' } }, closed: { module: 'play', data: { media: 'closed.wav' } } },
    });
    const closed = await call(world, '5000');
    assert.equal(closed.decision?.method, 'park');
    assert.deepEqual(commandsOf((closed.decision as Extract<Decision, { method: 'park' }>).actions).map((c) => c['Application-Name']), ['answer', 'play', 'hangup']);
    assert.ok(closed.reasons.includes('calendar Support closed until 2026-11-23T08:00:00Z at 2026-11-23T07:30:00.000Z'), closed.reasons.join('\n'));
    const open = await evaluateCall({ accountId: world.accountId, dialed: '5000', at: new Date('2026-11-23T09:00:00Z'), caller: {} }, world);
    assert.equal(bridge(open.decision)[0]![0]!.toUser, '5001');
  });

  test('callgroup: the plan from the callgroup whapp becomes one route leg; busy takes the busy cause', async () => {
    const world = base();
    world.callgroupAnswer = (req) =>
      req.number === '6000'
        ? { status: 'ringing', legs: 2, rendering: { kind: 'bridge', dialString: '{ignore_early_media=true}sofia/internal/sip:1@a,sofia/internal/sip:2@b' } }
        : { status: 'busy', legs: 0, rendering: { kind: 'reject', cause: 'USER_BUSY' } };
    world.addCallflow('cf-group', ['6000', '6001'], { module: 'callgroup', data: {} });
    const ringing = bridge((await call(world, '6000')).decision);
    assert.equal(ringing[0]![0]!.route, '{ignore_early_media=true}sofia/internal/sip:1@a,sofia/internal/sip:2@b');
    const busy = await call(world, '6001');
    assert.equal((busy.decision as { cause: string }).cause, 'USER_BUSY');
  });

  test('offnet: resources by pattern and weight, one failover step per gateway, external caller-id; dial-out needs permission', async () => {
    const world = base();
    world.account_.caller_id = { external: { name: 'Example Corp', number: '+3225550000' } };
    world.addResource({ name: 'backup', weight: 20, rules: ['^\\+\\d+$'], gateways: [{ server: 'gw3.example.net' }] });
    world.addResource({ name: 'be-carrier', weight: 10, rules: ['^\\+32\\d+$'], gateways: [{ server: 'gw1.example.net', format: 'national' }, { server: 'gw2.example.net', prefix: '9' }] });
    world.addResource({ name: 'uk-only', weight: 1, rules: ['^\\+44\\d+$'], gateways: [{ server: 'uk.example.net' }] });
    world.addCallflow('cf-out', [], { module: 'offnet', data: {} }, ['^\\+?\\d{7,}$']);
    const denied = await call(world, '025551234');
    assert.equal((denied.decision as { cause: string }).cause, 'OUTGOING_CALL_BARRED');
    world.devices.get('dev-caller')!.dialout_allowed = true;
    const out = await call(world, '025551234');
    const steps = bridge(out.decision);
    assert.deepEqual(steps.map((s) => s[0]!.route), ['sip:025551234@gw1.example.net', 'sip:9+3225551234@gw2.example.net', 'sip:+3225551234@gw3.example.net']);
    assert.deepEqual(steps[0]![0]!.callerId, { name: 'Example Corp', number: '+3225550000' });
    const routes = routeRespFields({ method: 'bridge', steps }, { accountId: world.accountId }).Routes as Array<Record<string, unknown>>;
    assert.deepEqual(routes.map((r) => r['Fife-Step']), [0, 1, 2]);
  });

  test('oncall rings every device of whoever is on call; nobody on call takes `_`', async () => {
    const world = base()
      .addUser('u-ops1', { first_name: 'Olga' })
      .addDevice('dev-ops1', '9101', { owner_id: 'u-ops1' })
      .addDevice('dev-ops1b', '9102', { owner_id: 'u-ops1' });
    world.oncallUsers.set('ops', ['u-ops1']);
    world.addCallflow('cf-ops', ['9100'], { module: 'oncall', data: { calendar_id: 'ops', name: 'Ops' } });
    world.addCallflow('cf-night', ['9200'], { module: 'oncall', data: { calendar_id: 'night' }, children: { _: { module: 'tone', data: { name: 'busy' } } } });
    const ops = await call(world, '9100');
    assert.deepEqual(bridge(ops.decision)[0]!.map((l) => [l.toUser, l.timeoutS]), [['9101', 30], ['9102', 30]]);
    assert.ok(ops.reasons.includes('Olga is on call in Ops'));
    const night = await call(world, '9200');
    assert.equal(night.decision?.method, 'park');
    const commands = commandsOf((night.decision as Extract<Decision, { method: 'park' }>).actions);
    assert.deepEqual(commands.map((c) => c['Application-Name']), ['answer', 'tones', 'hangup']);
    assert.deepEqual((commands[1]!.Tones as Array<Record<string, unknown>>)[0], { Frequencies: [425], 'Duration-ON': 500, 'Duration-OFF': 500, Repeat: 5 });
  });

  test('masquerade on a node applies to the legs below it', async () => {
    const world = base().addDevice('dev-7001', '7001');
    world.addCallflow('cf-7000', ['7000'], { module: 'device', data: { id: 'dev-7001', caller_id: { name: 'Helpdesk', number: '7000' } } });
    const legs = bridge((await call(world, '7000')).decision)[0]!;
    assert.deepEqual(legs[0]!.callerId, { name: 'Helpdesk', number: '7000' });
  });

  test('no callflow: no decision (the request is not ours); a broken flow names what is wrong', async () => {
    const world = base();
    world.addCallflow('cf-bad', ['8000'], { module: 'device', data: {} });
    world.addCallflow('cf-unknown', ['8001'], { module: 'voicemail', data: {} });
    assert.equal((await call(world, '9999')).decision, undefined);
    const bad = await call(world, '8000');
    assert.match((bad.decision as { message: string }).message, /device at flow: data\.id/);
    const unknown = await call(world, '8001');
    assert.match((unknown.decision as { message: string }).message, /unknown module "voicemail"/);
  });
});
