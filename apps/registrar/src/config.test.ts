import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@fife/whapp';
import { registrarConfig } from './config.js';
import { authnBindings, regQueryBindings, regSuccessBindings } from './bindings.js';

test('config: defaults, lists split, a bad value names its variable', () => {
  const config = loadConfig(registrarConfig, { REGISTRAR_CLEAR_PASSWORD_REALMS: 'a.example.com, b.example.com' });
  assert.deepEqual(config.REGISTRAR_CLEAR_PASSWORD_APPS, ['kamailio']);
  assert.deepEqual(config.REGISTRAR_CLEAR_PASSWORD_REALMS, ['a.example.com', 'b.example.com']);
  assert.equal(config.REGISTRAR_EXPIRES_DEVIATION_S, 180);
  assert.equal(config.REGISTRAR_BIND_AUTHN_ENDPOINT, true);
  assert.throws(() => loadConfig(registrarConfig, { REGISTRAR_UNKNOWN_REALM: 'maybe' }), (err: Error & { context?: { variables?: string[] } }) => {
    assert.deepEqual(err.context?.variables, ['REGISTRAR_UNKNOWN_REALM']);
    return true;
  });
  assert.throws(() => loadConfig(registrarConfig, { REGISTRAR_MAX_CONTACTS: '0' }), /REGISTRAR_MAX_CONTACTS/);
});

test('bindings: every realm, both authn key generations, Kazoo (lowercased) and Kamailio (as written) encodings', () => {
  assert.deepEqual(authnBindings(['*'], true), [
    { exchange: 'callmgr', key: 'authn.req.*' },
    { exchange: 'registrar', key: 'authn.endpoint.req.*' },
  ]);
  assert.deepEqual(authnBindings(['SIP.example.com'], false).map((b) => b.key), ['authn.req.sip%2Eexample%2Ecom', 'authn.req.SIP%2Eexample%2Ecom']);
  assert.deepEqual(regSuccessBindings(['*']), [{ exchange: 'registrar', key: 'registration.success.*.*' }]);
  assert.deepEqual(regQueryBindings(['127.0.0.1']), [{ exchange: 'registrar', key: 'registration.query.127%2E0%2E0%2E1.*' }]);
});
