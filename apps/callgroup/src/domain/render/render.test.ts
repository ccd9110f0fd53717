import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { renderCall } from './render.js';
import { callOf, phones, topologyOf } from '../test-helpers.js';
import type { RenderOptions, Rendering } from './types.js';
import type { ExtensionInput } from '../schema/extension.js';
import type { Stage2Input } from '../schema/stage2.js';

const options: RenderOptions = {
  resolveTarget: (leg) => (leg.kind === 'external' ? `sofia/gateway/out/${leg.extension}` : `sofia/internal/sip:${leg.device}@10.0.0.1`),
};
const sip = (device: string): string => `sofia/internal/sip:${device}@10.0.0.1`;

function render(called: string, exts: ExtensionInput[], stage2: Stage2Input = {}, opts: Partial<RenderOptions> = {}): Rendering {
  return renderCall(callOf(topologyOf(...exts, ...phones('1000')), called, { stage2 }), { ...options, ...opts });
}

/** The dial string without its leading global variable block. */
function legsPart(r: Rendering): string {
  assert.ok('dialString' in r, `expected a dial string, got ${r.kind}`);
  return r.dialString.replace(/^(\{[^}]*\}|<[^>]*>)/, '');
}

const group = (ext: string, ranks: ExtensionInput['ranks'], extra: Partial<ExtensionInput> = {}): ExtensionInput => ({
  ext, type: 'GROUP', ranks, ...extra,
});

test('simultaneous: one rank renders as one `,` group', () => {
  const r = render('2000', [group('2000', [{ members: [{ ext: '1001' }, { ext: '1002' }] }]), ...phones('1001', '1002')]);
  assert.equal(r.kind, 'bridge');
  assert.equal(legsPart(r), `${sip('1001')},${sip('1002')}`);
});

test('delayed ranks: NEXT via leg_delay_start, DROP via leg_timeout on the earlier legs', () => {
  const r = render('2000', [
    group('2000', [{ members: [{ ext: '1001' }] }, { mode: 'NEXT', delay: 5, members: [{ ext: '1002' }] }, { mode: 'DROP', delay: 10, members: [{ ext: '1003' }] }]),
    ...phones('1001', '1002', '1003'),
  ]);
  assert.equal(legsPart(r), `[leg_timeout=15]${sip('1001')},[leg_delay_start=5,leg_timeout=10]${sip('1002')},[leg_delay_start=15]${sip('1003')}`);
});

test('sequential: a DEFAULT rank at the root becomes a `|` failover group with its own clock', () => {
  const r = render('2000', [
    group('2000', [{ members: [{ ext: '1001' }] }, { members: [{ ext: '1002' }] }, { mode: 'NEXT', delay: 5, members: [{ ext: '1003' }] }]),
    ...phones('1001', '1002', '1003'),
  ]);
  assert.equal(r.kind, 'bridge');
  assert.equal(legsPart(r), `${sip('1001')}|${sip('1002')},[leg_delay_start=5]${sip('1003')}`);
  if (r.kind === 'bridge') assert.equal(r.steps.length, 2);
});

test('hunting group then forward: the documented example (§2.3)', () => {
  const r = render('2000', [
    group('2000', [{ members: [{ ext: '1001' }] }, { mode: 'DROP', delay: 10, members: [{ ext: '1002' }] }, { mode: 'DROP', delay: 10, members: [{ ext: '1003' }] }], {
      forward: { mode: 'ENABLED', delay: 30, to: '1099' },
    }),
    ...phones('1001', '1002', '1003', '1099'),
  ]);
  assert.equal(
    legsPart(r),
    `[leg_timeout=10]${sip('1001')},[leg_delay_start=10,leg_timeout=10]${sip('1002')},[leg_delay_start=20,leg_timeout=10]${sip('1003')},[leg_delay_start=30]${sip('1099')}`,
  );
  assert.ok('dialString' in r && r.dialString.startsWith('{ignore_early_media=true,originate_timeout=600,'));
});

test('a failover inside one branch while others ring: enterprise parts', () => {
  const r = render('2000', [
    group('2000', [{ members: [{ ext: '1001' }, { ext: '1003' }] }]),
    { ext: '1001', forward: { mode: 'ON_UNAVAILABLE', to: '1002' } },
    ...phones('1002', '1003'),
  ]);
  assert.equal(r.kind, 'enterprise');
  assert.ok('dialString' in r && r.dialString.startsWith('<ignore_early_media=true,'));
  assert.equal(legsPart(r), `${sip('1001')}|${sip('1002')}:_:${sip('1003')}`);
});

test('an enterprise part that starts late waits with originate_delay_start instead of being fast-forwarded', () => {
  const r = render('2000', [
    group('2000', [{ members: [{ ext: '1003' }] }, { mode: 'NEXT', delay: 10, members: [{ ext: '1001' }] }]),
    { ext: '1001', forward: { mode: 'ON_BUSY', to: '1002' } },
    ...phones('1002', '1003'),
  ]);
  assert.equal(legsPart(r), `{originate_delay_start=10000}${sip('1001')}|${sip('1002')}:_:${sip('1003')}`);
});

test('a failover that must also stop at an absolute time needs call control (park)', () => {
  const r = render('2000', [
    group('2000', [{ members: [{ ext: '2100' }] }, { mode: 'DROP', delay: 10, members: [{ ext: '1003' }] }]),
    group('2100', [{ members: [{ ext: '1001' }] }, { members: [{ ext: '1002' }] }]),
    ...phones('1001', '1002', '1003'),
  ]);
  assert.equal(r.kind, 'park');
  if (r.kind !== 'park') return;
  assert.deepEqual(
    r.actions.map((a) => `${a.at_s}:${a.action}:${a.leg.device}`),
    ['0:originate:1001', '10:hangup:1001', '10:originate:1003'],
  );
});

test('calls that cannot ring are rejected with the hangup cause of §2.6', () => {
  const r = render('1001', phones('1001'), { registrations: { '1001': [] } });
  assert.deepEqual(r, { kind: 'reject', status: 'offline', cause: 'USER_NOT_REGISTERED' });
  assert.equal((render('1999', phones('1001')) as { cause: string }).cause, 'NO_ROUTE_DESTINATION');
});

test('caller presentation, ringback and headers go into the global block, escaped', () => {
  const r = renderCall(
    callOf(topologyOf({ ext: '1000', name: 'Eve,}|[x]{y}^^:z', outgoing_extension: '5000', dialout_allowed: true }, { ext: '1001', name: 'Bob <b>', ringback: 'ring,tone' }), '1001'),
    { ...options, callId: 'abc123' },
  );
  assert.ok('variables' in r);
  const vars = Object.fromEntries(r.variables);
  assert.equal(vars['origination_caller_id_number'], '5000');
  assert.equal(vars['origination_caller_id_name'], `'Eve x y :z'`);
  assert.equal(vars['sip_h_X-Called-Name'], `'Bob b'`);
  assert.equal(vars['ringback'], `'ring tone'`);
  assert.equal(vars['sip_h_X-Dialout-Allowed'], '1');
  assert.equal(vars['sip_h_X-Eventphone-Id'], 'abc123');
  assert.equal(vars['sip_h_X-Originally-Called'], '1001');
  assert.ok('dialString' in r);
  const globals = r.dialString.slice(0, r.dialString.indexOf('}') + 1);
  assert.equal(globals.match(/[{}]/g)!.length, 2, 'only the block delimiters');
  assert.equal(r.dialString.split('|').length, 1);
});

test('a resolved target with dial-string metacharacters is refused', () => {
  assert.throws(
    () => render('1001', phones('1001'), {}, { resolveTarget: () => 'sofia/internal/a,b' }),
    (err) => isFifeError(err, 'callgroup.render'),
  );
  assert.throws(() => render('1001', phones('1001'), {}, { resolveTarget: () => 'user/1001:_:user/1002' }), (err) => isFifeError(err, 'callgroup.render'));
});
