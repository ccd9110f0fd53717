import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { MessageInput, authnResp } from '@fife/api';
import { a1Hash } from './digest.js';
import type { AccountEntry, DeviceEntry } from './directory.js';
import { ipKey, realmKey, type AuthnSubject } from './realm.js';

export const credentialPolicySchema = z.object({
  /** App-Names of requesters that can only check a clear password (Kamailio's kazoo module). */
  clearPasswordApps: z.array(z.string()),
  /** Realms whose devices may be given a clear password by default (besides per account/device flags). */
  clearPasswordRealms: z.array(z.string()),
  /** `error`: authn_err for a realm no account has (Kazoo's registrar); `silent`: let another registrar answer. */
  unknownRealm: z.enum(['error', 'silent']),
});
export type CredentialPolicy = z.infer<typeof credentialPolicySchema>;

export type AuthnRespFields = Omit<MessageInput<typeof authnResp>, 'Event-Category' | 'Event-Name' | 'App-Name' | 'App-Version' | 'Msg-ID'>;

export type DenyReason =
  | 'unknown_realm'
  | 'unknown_user'
  | 'disabled_account'
  | 'disabled_device'
  | 'disabled_owner'
  | 'ip_not_allowed'
  | 'clear_password_not_allowed';

export type SilentReason = 'ip_realm_unknown' | 'unknown_realm_silent';

export type AuthnDecision =
  | { kind: 'credentials'; reply: AuthnRespFields; deviceId: string }
  | { kind: 'deny'; reason: DenyReason; deviceId?: string }
  | { kind: 'silent'; reason: SilentReason };

export interface AuthnFacts {
  subject: AuthnSubject;
  request: { 'App-Name': string; 'Orig-IP'?: string; Expires?: number };
  account: AccountEntry | undefined;
  /** The device whose SIP username is the requested one. */
  device: DeviceEntry | undefined;
  /** When no device has that username: an IP-authenticated device trusted from Orig-IP, if any. */
  ipDevice: DeviceEntry | undefined;
  /** Whether the user owning the device is enabled (undefined: no owner, or not known). */
  ownerEnabled?: boolean;
}

const sameIp = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && ipKey(a) === ipKey(b);

function needsClearPassword(appName: string, policy: CredentialPolicy): boolean {
  const app = appName.toLowerCase();
  return policy.clearPasswordApps.some((name) => name.toLowerCase() === app);
}

function clearPasswordAllowed(account: AccountEntry, device: DeviceEntry, policy: CredentialPolicy): boolean {
  if (device.allowClearPassword || account.allowClearPassword) return true;
  const realm = realmKey(account.realm);
  return policy.clearPasswordRealms.some((r) => realmKey(r) === realm);
}

/** The Custom-Channel-Vars Kazoo's registrar puts in authn_resp (kazoo-wire §2.2). */
export function channelVars(subject: AuthnSubject, account: AccountEntry, device: DeviceEntry): Record<string, unknown> {
  const accountRealm = account.realm.toLowerCase();
  return {
    Username: subject.username,
    Realm: subject.realm,
    'Account-ID': account.id,
    'Authorizing-ID': device.id,
    'Authorizing-Type': device.authorizingType,
    ...(device.ownerId ? { 'Owner-ID': device.ownerId } : {}),
    'Account-Realm': accountRealm,
    'Account-Name': account.name,
    'Presence-ID': device.presenceId ?? `${device.username}@${accountRealm}`,
    'Suppress-Unregister-Notifications': device.suppressUnregisterNotifications,
    'Register-Overwrite-Notify': device.registerOverwriteNotify,
  };
}

function credentials(facts: AuthnFacts, account: AccountEntry, device: DeviceEntry, method: 'password' | 'a1-hash' | 'ip', password: string): AuthnDecision {
  const reply: AuthnRespFields = {
    'Auth-Method': method,
    'Auth-Password': password,
    ...(device.username !== facts.subject.username && method === 'ip' ? { 'Auth-Username': device.username } : {}),
    'Custom-Channel-Vars': channelVars(facts.subject, account, device),
    ...(facts.request.Expires !== undefined ? { Expires: facts.request.Expires } : {}),
    'Suppress-Unregister-Notifications': device.suppressUnregisterNotifications,
    'Register-Overwrite-Notify': device.registerOverwriteNotify,
  };
  return { kind: 'credentials', reply, deviceId: device.id };
}

/** An IP-trusted device gets no usable secret: a random one, so nothing can digest-authenticate as it. */
const unusableSecret = (): string => randomBytes(16).toString('hex');

function ipCredentials(facts: AuthnFacts, account: AccountEntry, device: DeviceEntry): AuthnDecision {
  if (!device.enabled) return { kind: 'deny', reason: 'disabled_device', deviceId: device.id };
  if (!sameIp(device.ip, facts.request['Orig-IP'])) return { kind: 'deny', reason: 'ip_not_allowed', deviceId: device.id };
  return credentials(facts, account, device, 'ip', unusableSecret());
}

/**
 * Who gets what (documented in apps/registrar/README.md):
 * - unknown realm: authn_err (or silence when configured, or always when Auth-Realm is an IP literal, as Kazoo);
 * - unknown user, disabled account, device or owner, IP device asked from another address: authn_err;
 * - IP-authenticated device from its address: Auth-Method `ip`;
 * - requester that checks clear passwords (Kamailio): the clear password only where the operator allowed
 *   it, else authn_err (the caller logs a warning once per device);
 * - everyone else (Fife's and Kazoo's ecallmgr): `a1-hash`, never the clear password.
 */
export function decideAuthn(facts: AuthnFacts, policy: CredentialPolicy): AuthnDecision {
  const { account, device } = facts;
  if (!account) {
    if (facts.subject.ipRealm) return { kind: 'silent', reason: 'ip_realm_unknown' };
    return policy.unknownRealm === 'silent' ? { kind: 'silent', reason: 'unknown_realm_silent' } : { kind: 'deny', reason: 'unknown_realm' };
  }
  if (!account.enabled) return { kind: 'deny', reason: 'disabled_account' };
  if (!device) return facts.ipDevice ? ipCredentials(facts, account, facts.ipDevice) : { kind: 'deny', reason: 'unknown_user' };
  if (!device.enabled) return { kind: 'deny', reason: 'disabled_device', deviceId: device.id };
  // Kazoo refuses a device whose owner is disabled, as it refuses a disabled account or device.
  if (facts.ownerEnabled === false) return { kind: 'deny', reason: 'disabled_owner', deviceId: device.id };
  if (device.method === 'ip') return ipCredentials(facts, account, device);
  if (device.password === undefined) return { kind: 'deny', reason: 'unknown_user', deviceId: device.id };
  if (needsClearPassword(facts.request['App-Name'], policy)) {
    if (!clearPasswordAllowed(account, device, policy)) return { kind: 'deny', reason: 'clear_password_not_allowed', deviceId: device.id };
    return credentials(facts, account, device, 'password', device.password);
  }
  return credentials(facts, account, device, 'a1-hash', a1Hash(facts.subject.username, facts.subject.realm, device.password));
}
