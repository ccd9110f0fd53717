import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planCommand } from './commands.js';

const ctx = { sipProfile: 'internal', context: 'default' };
const steps = (cmd: Record<string, unknown>) => {
  const plan = planCommand(cmd, ctx);
  assert.ok(plan.ok, plan.ok ? '' : plan.reason);
  return plan.steps;
};

test('simple applications map to their FreeSWITCH names', () => {
  assert.deepEqual(steps({ 'Application-Name': 'answer' }), [{ kind: 'execute', app: 'answer' }]);
  assert.deepEqual(steps({ 'Application-Name': 'progress' }), [{ kind: 'execute', app: 'pre_answer' }]);
  assert.deepEqual(steps({ 'Application-Name': 'ring' }), [{ kind: 'execute', app: 'ring_ready' }]);
  assert.deepEqual(steps({ 'Application-Name': 'hangup', 'Hangup-Cause': 'USER_BUSY' }), [{ kind: 'hangup', cause: 'USER_BUSY' }]);
  assert.deepEqual(steps({ 'Application-Name': 'hangup', 'Hangup-Cause': 'bad cause; x' }), [{ kind: 'hangup', cause: 'NORMAL_CLEARING' }]);
  assert.deepEqual(steps({ 'Application-Name': 'noop' }), [{ kind: 'noop' }]);
});

test('play and tones: media made inert, http through http_cache, tone_stream built from the tones', () => {
  assert.deepEqual(steps({ 'Application-Name': 'play', 'Media-Name': 'https://media.example.com/a.wav' }), [
    { kind: 'execute', app: 'playback', arg: 'http_cache://https://media.example.com/a.wav' },
  ]);
  assert.deepEqual(steps({ 'Application-Name': 'play', 'Media-Name': '/x/${system(id)}.wav' }), [{ kind: 'execute', app: 'playback', arg: '/x/{system(id)}.wav' }]);
  assert.deepEqual(steps({ 'Application-Name': 'tones', Tones: [{ Frequencies: [350, 440], 'Duration-ON': 1000, 'Duration-OFF': 500, Repeat: 3 }] }), [
    { kind: 'execute', app: 'playback', arg: 'tone_stream://%(1000,500,350,440);loops=3' },
  ]);
  assert.equal(planCommand({ 'Application-Name': 'tones', Tones: [{ Frequencies: ['x'], 'Duration-ON': 1, 'Duration-OFF': 1 }] }, ctx).ok, false);
});

test('set: CCVs as ecallmgr_ set, call vars exported, values inert', () => {
  assert.deepEqual(steps({ 'Application-Name': 'set', 'Custom-Channel-Vars': { A: '${x}' }, 'Custom-Call-Vars': { B: 'y' } }), [
    { kind: 'execute', app: 'set', arg: 'ecallmgr_A={x}' },
    { kind: 'execute', app: 'export', arg: 'ecallmgr_B=y' },
  ]);
});

test('bridge: single = `|`, simultaneous = `,`, globals for timeout and caller id', () => {
  const endpoints = [
    { 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': 'r', 'Endpoint-Timeout': 15 },
    { 'Invite-Format': 'route', Route: 'sip:+1555@gw.example.com', 'Endpoint-Delay': 5 },
  ];
  assert.deepEqual(steps({ 'Application-Name': 'bridge', Endpoints: endpoints, Timeout: 30, 'Caller-ID-Name': 'A, B' }), [
    { kind: 'execute', app: 'bridge', arg: "{call_timeout=30,originate_timeout=30,origination_caller_id_name='A B'}[leg_timeout=15]user/1001@r|[leg_delay_start=5]sofia/internal/sip:+1555@gw.example.com" },
  ]);
  const sim = steps({ 'Application-Name': 'bridge', Endpoints: endpoints, 'Dial-Endpoint-Method': 'simultaneous' });
  assert.equal(sim[0]!.kind === 'execute' && sim[0]!.arg, '[leg_timeout=15]user/1001@r,[leg_delay_start=5]sofia/internal/sip:+1555@gw.example.com');
  assert.equal(planCommand({ 'Application-Name': 'bridge', Endpoints: [{ 'Invite-Format': 'username', 'To-User': 'a|b', 'To-Realm': 'r' }] }, ctx).ok, false);
});

test('unsupported and invalid commands say why', () => {
  const plan = planCommand({ 'Application-Name': 'store_fax', 'Media-Transfer-Method': 'put', 'Media-Transfer-Destination': 'http://x/' }, ctx);
  assert.equal(plan.ok, false);
  assert.match(plan.ok ? '' : plan.reason, /not supported/);
  assert.equal(planCommand({ 'Application-Name': 'send_dtmf', DTMFs: '1;2' }, ctx).ok, false);
  assert.deepEqual(steps({ 'Application-Name': 'respond', 'Response-Code': '486', 'Response-Message': 'Busy' }), [{ kind: 'execute', app: 'respond', arg: '486 Busy' }]);
});

test('more commands: play_and_collect_digits, say, hold, execute_extension, conference, record_call', () => {
  assert.deepEqual(
    steps({
      'Application-Name': 'play_and_collect_digits', 'Minimum-Digits': 1, 'Maximum-Digits': 4, 'Media-Tries': 3, Timeout: 5000,
      Terminators: ['#', 'x'], 'Media-Name': '/m/prompt.wav', 'Digits-Regex': '\\d+',
    }),
    [{ kind: 'execute', app: 'play_and_get_digits', arg: '1 4 3 5000 # /m/prompt.wav silence_stream://250 fife_collected_digits \\d+' }],
  );
  assert.equal(planCommand({ 'Application-Name': 'play_and_collect_digits', 'Minimum-Digits': 1, 'Maximum-Digits': 4, 'Media-Tries': 3, Timeout: 5, 'Media-Name': 'a b', 'Digits-Regex': 'x' }, ctx).ok, false);
  assert.deepEqual(steps({ 'Application-Name': 'say', Language: 'en', Type: 'number', Method: 'pronounced', 'Say-Text': '42' }), [{ kind: 'execute', app: 'say', arg: 'en number pronounced 42' }]);
  assert.deepEqual(steps({ 'Application-Name': 'hold' }), [{ kind: 'execute', app: 'endless_playback', arg: 'local_stream://moh' }]);
  assert.deepEqual(steps({ 'Application-Name': 'execute_extension', Extension: '*97' }), [{ kind: 'execute', app: 'execute_extension', arg: '*97 XML default' }]);
  assert.equal(planCommand({ 'Application-Name': 'execute_extension', Extension: '1 XML evil' }, ctx).ok, false);
  assert.deepEqual(steps({ 'Application-Name': 'conference', 'Conference-ID': 'room1', Mute: true }), [{ kind: 'execute', app: 'conference', arg: 'room1@default+flags{mute}' }]);
  assert.deepEqual(steps({ 'Application-Name': 'record_call', 'Record-Action': 'start', 'Media-Name': '/rec/a.wav', 'Time-Limit': 60 }), [
    { kind: 'execute', app: 'record_session', arg: '/rec/a.wav +60' },
  ]);
  assert.deepEqual(steps({ 'Application-Name': 'record_call', 'Record-Action': 'stop' }), [{ kind: 'execute', app: 'stop_record_session', arg: 'all' }]);
  assert.equal(planCommand({ 'Application-Name': 'record_call', 'Record-Action': 'start', 'Media-Name': '/rec/a b.wav' }, ctx).ok, false);
  assert.equal(planCommand({ 'Application-Name': 'record_call', 'Record-Action': 'start', 'Media-Name': '/rec/../../etc/x.wav' }, ctx).ok, false);
});

test('transfer: blind through mod_dptools transfer (leg flags), attended through att_xfer over loopback with hold', () => {
  assert.deepEqual(steps({ 'Application-Name': 'transfer', 'Transfer-Type': 'blind', 'Transfer-To': '2001' }), [
    { kind: 'execute', app: 'transfer', arg: '2001 XML default' },
  ]);
  assert.deepEqual(steps({ 'Application-Name': 'transfer', 'Transfer-Type': 'blind', 'Transfer-To': '+4930123', 'Transfer-Leg': 'bleg', 'Transfer-Context': 'ctx2' }), [
    { kind: 'execute', app: 'transfer', arg: '-bleg +4930123 XML ctx2' },
  ]);
  const [att] = steps({
    'Application-Name': 'transfer', 'Transfer-Type': 'attended', 'Transfer-To': '2002', 'Caller-ID-Name': 'Desk, 1',
    'Custom-Channel-Vars': { 'Account-ID': 'a1', 'Owner-ID': 'not-carried' },
  });
  assert.deepEqual(att, {
    kind: 'execute', app: 'att_xfer', holdBleg: true,
    arg: "{ignore_early_media=ring_ready,origination_callee_id_name=2002,origination_callee_id_number=2002,origination_caller_id_name='Desk 1',ecallmgr_Account-ID=a1}loopback/2002/default",
  });
  for (const bad of ['20 01', '${x}', '1|user/evil', '']) {
    assert.equal(planCommand({ 'Application-Name': 'transfer', 'Transfer-Type': 'blind', 'Transfer-To': bad }, ctx).ok, false, bad);
  }
  assert.equal(planCommand({ 'Application-Name': 'transfer', 'Transfer-Type': 'blind', 'Transfer-To': '1', 'Transfer-Context': 'a b' }, ctx).ok, false);
});

test('hangup Other-Leg-Only, eavesdrop, soft_hold, record, receive_fax, page', () => {
  assert.deepEqual(steps({ 'Application-Name': 'hangup', 'Other-Leg-Only': true }), [{ kind: 'hangupOtherLeg', cause: 'NORMAL_CLEARING' }]);
  assert.deepEqual(steps({ 'Application-Name': 'eavesdrop', 'Call-ID': 'me', 'Target-Call-ID': 'abc-1', 'Enable-DTMF': true }), [
    { kind: 'requireChannel', uuid: 'abc-1' },
    { kind: 'execute', app: 'set', arg: 'eavesdrop_enable_dtmf=true' },
    { kind: 'execute', app: 'eavesdrop', arg: 'abc-1' },
  ]);
  assert.equal(planCommand({ 'Application-Name': 'eavesdrop', 'Call-ID': 'me', 'Target-Call-ID': 'me' }, ctx).ok, false);
  assert.equal(planCommand({ 'Application-Name': 'eavesdrop', 'Target-Call-ID': 'a b' }, ctx).ok, false);
  assert.deepEqual(steps({ 'Application-Name': 'soft_hold', 'Unhold-Key': '*' }), [{ kind: 'execute', app: 'soft_hold', arg: '* silence_stream://-1 local_stream://moh' }]);
  assert.equal(planCommand({ 'Application-Name': 'soft_hold', 'Unhold-Key': '**' }, ctx).ok, false);
  assert.deepEqual(steps({ 'Application-Name': 'record', 'Media-Name': '/rec/vm.wav', Terminators: ['#'], 'Time-Limit': 120 }), [
    { kind: 'execute', app: 'set', arg: 'playback_terminators=#' },
    { kind: 'execute', app: 'record', arg: '/rec/vm.wav 120 500 5' },
  ]);
  assert.deepEqual(steps({ 'Application-Name': 'receive_fax', 'Call-ID': 'c-1', 'Enable-T38-Fax': true }), [
    { kind: 'execute', app: 'set', arg: 'fax_enable_t38=true' },
    { kind: 'execute', app: 'rxfax', arg: '/tmp/fax-c-1.tiff' },
  ]);
  const page = steps({ 'Application-Name': 'page', Endpoints: [{ 'Invite-Format': 'username', 'To-User': '1001', 'To-Realm': 'r' }, { 'Invite-Format': 'username', 'To-User': 'x|y', 'To-Realm': 'r' }] });
  const outcalls = page.filter((s) => s.kind === 'execute' && s.app === 'conference_set_auto_outcall');
  assert.deepEqual(outcalls.map((s) => s.kind === 'execute' && s.arg), ['{sip_invite_params=intercom=true,alert_info=intercom}user/1001@r'], 'the unsafe endpoint is skipped');
  const last = page.at(-1)!;
  assert.ok(last.kind === 'execute' && last.app === 'conference' && /^page_[0-9a-f]{8}@default$/.test(last.arg!));
  assert.ok(page.some((s) => s.kind === 'execute' && s.arg === 'conference_auto_outcall_flags=mute'), 'one-way by default');
  assert.equal(planCommand({ 'Application-Name': 'page', Endpoints: [] }, ctx).ok, false);
  assert.deepEqual(steps({ 'Application-Name': 'hold_control', Action: 'hold' }), [{ kind: 'api', command: 'uuid_hold {uuid}' }]);
  assert.deepEqual(steps({ 'Application-Name': 'hold_control', Action: 'unhold' }), [{ kind: 'api', command: 'uuid_hold off {uuid}' }]);
  assert.equal(planCommand({ 'Application-Name': 'hold_control', Action: 'x; uuid_kill' }, ctx).ok, false);
});
