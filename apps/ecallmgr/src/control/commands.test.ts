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
  const plan = planCommand({ 'Application-Name': 'receive_fax' }, ctx);
  assert.equal(plan.ok, false);
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
  assert.deepEqual(steps({ 'Application-Name': 'record_call', 'Record-Action': 'start', 'Media-Name': '/rec/a.wav', 'Time-Limit': 60 }), [{ kind: 'api', command: 'uuid_record {uuid} start /rec/a.wav 60' }]);
  assert.equal(planCommand({ 'Application-Name': 'record_call', 'Record-Action': 'start', 'Media-Name': '/rec/a b.wav' }, ctx).ok, false);
});
