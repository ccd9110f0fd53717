import { channelVars } from '../domain/credential-policy.js';
import type { AccountEntry, DeviceEntry } from '../domain/directory.js';
import type { Identify } from './registrations.js';

const IDENTITY_KEYS = ['Account-ID', 'Authorizing-ID', 'Authorizing-Type', 'Owner-ID', 'Account-Realm', 'Account-Name', 'Presence-ID'];

/** In-memory lookups only: a REGISTER follows its authn_req, so the device is cached (caches are primed too). */
export interface CachedCredentials {
  peekAccount(realm: string): AccountEntry | undefined;
  peekDevice(accountId: string, username: string): DeviceEntry | undefined;
}

/**
 * The identity authn_resp would have given the device registering as user@realm, from the cache alone:
 * a registration is never held up, and a flood of unknown registrations never turns into CouchDB reads.
 */
export function identifyFrom(cache: CachedCredentials): Identify {
  return async (username, realm) => {
    const account = cache.peekAccount(realm);
    const device = account ? cache.peekDevice(account.id, username) : undefined;
    if (!account || !device) return undefined;
    const vars = channelVars({ username, realm, lookupRealms: [], ipRealm: false }, account, device);
    const identity: Record<string, string> = {};
    for (const key of IDENTITY_KEYS) if (typeof vars[key] === 'string') identity[key] = vars[key] as string;
    return identity;
  };
}
