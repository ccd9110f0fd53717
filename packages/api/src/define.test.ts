import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  allMessages,
  authn,
  build,
  call,
  defineMessage,
  dialplan,
  findMessage,
  FifeError,
  isFifeError,
  registration,
  route,
  validate,
  type SenderIdentity,
} from './index.js';

const sender: SenderIdentity = { appName: 'registrar', appVersion: '1.2.3', node: 'registrar@h1', serverId: 'q-reply' };

function invalidFields(result: ReturnType<typeof validate>): string[] {
  assert.equal(result.ok, false);
  if (result.ok) return [];
  assert.ok(result.error instanceof FifeError);
  assert.equal(result.error.code, 'api.invalid');
  return result.error.context.fields as string[];
}

describe('build', () => {
  test('fills the default headers from the sender and a fresh Msg-ID', () => {
    const msg = build(authn.err, {}, sender);
    assert.equal(msg['Event-Category'], 'directory');
    assert.equal(msg['Event-Name'], 'authn_err');
    assert.equal(msg['App-Name'], 'registrar');
    assert.equal(msg['App-Version'], '1.2.3');
    assert.equal(msg.Node, 'registrar@h1');
    assert.equal(msg['Server-ID'], 'q-reply');
    assert.match(msg['Msg-ID'], /^[A-Za-z0-9_-]{21}$/);
    assert.notEqual(build(authn.err, {}, sender)['Msg-ID'], msg['Msg-ID']);
  });
  test('a reply keeps the Msg-ID it is given and drops empty values', () => {
    const msg = build(authn.resp, { 'Msg-ID': 'm-1', 'Auth-Method': 'password', 'Auth-Password': 'pw', 'Auth-Username': '' }, sender);
    assert.equal(msg['Msg-ID'], 'm-1');
    assert.ok(!('Auth-Username' in msg));
  });
  test('lenient input is normalised in the built message', () => {
    const msg = build(
      authn.req,
      { To: 'a@b', From: 'a@b', 'Auth-User': 'a', 'Auth-Realm': 'b', Expires: '3600', 'Orig-Port': 5060 },
      sender,
    );
    assert.equal(msg.Expires, 3600);
    assert.equal(msg['Orig-Port'], '5060');
  });
  test('throws a FifeError naming the missing field', () => {
    assert.throws(
      () => build(authn.resp, { 'Auth-Method': 'password' } as never, sender),
      (e: unknown) => isFifeError(e, 'api.invalid') && /Auth-Password: is required/.test(e.message),
    );
  });
  test('Event-Name of a pattern declaration comes from the fields', () => {
    const msg = build(call.event, { 'Event-Name': 'CHANNEL_ANSWER', 'Call-ID': 'u1' }, sender);
    assert.equal(msg['Event-Name'], 'CHANNEL_ANSWER');
    assert.throws(() => build(call.event, { 'Call-ID': 'u1' }, sender), (e: unknown) => isFifeError(e, 'api.invalid'));
    assert.throws(
      () => build(call.event, { 'Event-Name': 'channel answer', 'Call-ID': 'u1' }, sender),
      (e: unknown) => isFifeError(e, 'api.invalid') && /Event-Name/.test(e.message),
    );
  });
});

describe('validate', () => {
  const base = { 'App-Name': 'x', 'App-Version': '1', 'Msg-ID': 'm' };
  test('names every wrong field', () => {
    const fields = invalidFields(
      validate(registration.success, {
        ...base,
        'Event-Category': 'directory',
        'Event-Name': 'reg_success',
        'Event-Timestamp': 'yesterday',
        Contact: 'sip:1@h',
        Username: '1',
        Realm: 'r',
      }),
    );
    assert.deepEqual(fields.sort(), ['Event-Timestamp', 'Expires']);
  });
  test('wrong Event-Name, bad enum value, non-object body', () => {
    assert.deepEqual(invalidFields(validate(authn.err, { ...base, 'Event-Category': 'directory', 'Event-Name': 'authn_resp' })), [
      'Event-Name',
    ]);
    assert.ok(
      invalidFields(
        validate(route.resp, { ...base, 'Event-Category': 'dialplan', 'Event-Name': 'route_resp', Method: 'teleport' }),
      ).includes('Method'),
    );
    assert.deepEqual(invalidFields(validate(authn.err, 'not json')), ['(body)']);
  });
  test('nested fields are named by path', () => {
    const fields = invalidFields(
      validate(route.resp, {
        ...base,
        'Event-Category': 'dialplan',
        'Event-Name': 'route_resp',
        Method: 'bridge',
        Routes: [{ 'Invite-Format': 'username' }, { Route: 'sip:x@y' }],
      }),
    );
    assert.deepEqual(fields, ['Routes.1.Invite-Format']);
  });
  test('unknown keys are kept', () => {
    const r = validate(authn.err, { ...base, 'Event-Category': 'directory', 'Event-Name': 'authn_err', 'X-Extra': 1 });
    assert.ok(r.ok && r.value['X-Extra'] === 1);
  });
});

describe('commands: required fields per Application-Name', () => {
  const envelope = { 'App-Name': 'w', 'App-Version': '1', 'Msg-ID': 'm', 'Event-Category': 'call', 'Event-Name': 'command', 'Call-ID': 'u1' };
  test('play needs Media-Name, answer needs nothing', () => {
    assert.deepEqual(invalidFields(validate(dialplan.command, { ...envelope, 'Application-Name': 'play' })), ['Media-Name']);
    assert.ok(validate(dialplan.command, { ...envelope, 'Application-Name': 'play', 'Media-Name': 'a.wav' }).ok);
    assert.ok(validate(dialplan.command, { ...envelope, 'Application-Name': 'answer' }).ok);
  });
  test('bridge needs at least one endpoint; set accepts empty objects', () => {
    assert.deepEqual(invalidFields(validate(dialplan.command, { ...envelope, 'Application-Name': 'bridge', Endpoints: [] })), [
      'Endpoints',
    ]);
    const set = { ...envelope, 'Application-Name': 'set', 'Custom-Channel-Vars': {} };
    assert.deepEqual(invalidFields(validate(dialplan.command, set)), ['Custom-Call-Vars']);
    assert.ok(validate(dialplan.command, { ...set, 'Custom-Call-Vars': {} }).ok);
  });
  test('queue checks every queued command', () => {
    const queue = {
      ...envelope,
      'Application-Name': 'queue',
      Commands: [{ 'Application-Name': 'answer' }, { 'Application-Name': 'tts' }],
    };
    assert.deepEqual(invalidFields(validate(dialplan.command, queue)), ['Commands.1.Text']);
    const ok = validate(dialplan.command, { ...queue, Commands: [{ 'Application-Name': 'sleep', Time: '500' }] });
    assert.ok(ok.ok && ok.value.Commands?.[0]?.Time === 500);
    assert.deepEqual(invalidFields(validate(dialplan.command, { ...envelope, 'Application-Name': 'queue' })), ['Commands']);
  });
  test('applications outside the table only need the envelope', () => {
    assert.ok(validate(dialplan.command, { ...envelope, 'Application-Name': 'echo' }).ok);
  });
});

describe('registry', () => {
  test('findMessage prefers exact names, then name patterns of the category', () => {
    assert.equal(findMessage('call_event', 'usurp_control'), call.usurpControl);
    assert.equal(findMessage('call_event', 'CHANNEL_DESTROY'), call.event);
    assert.equal(findMessage('error', 'dialplan'), dialplan.error);
    assert.equal(findMessage('error', 'calendar_status')?.id, 'error/any');
    assert.equal(findMessage('call_event', 'lowercase_unknown'), undefined);
    assert.equal(findMessage('nope', 'authn_req'), undefined);
    assert.equal(findMessage(undefined, undefined), undefined);
  });
  test('ids are unique and a second declaration is refused', () => {
    const ids = allMessages().map((d) => d.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.throws(
      () =>
        defineMessage({
          category: 'directory',
          name: 'authn_req',
          exchange: 'callmgr',
          routingKey: () => 'x',
          bindingKeys: [],
          fields: { X: z.string() },
          summary: '',
          sender: '',
          example: {},
        }),
      (e: unknown) => isFifeError(e, 'api.duplicate'),
    );
  });
});
