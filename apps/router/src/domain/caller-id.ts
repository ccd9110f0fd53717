import type { CallerId, RoutingAccount, RoutingDevice, RoutingUser } from './documents.js';

/** Who is calling, as far as the request and the account's documents say. */
export interface Caller {
  device?: RoutingDevice;
  user?: RoutingUser;
  /** What the request presented (Caller-ID-Name / -Number). */
  presented: CallerId;
}

/** Field by field: the first source that sets a name wins, and independently the first that sets a number. */
function firstOf(...sources: Array<CallerId | undefined>): CallerId {
  const out: CallerId = {};
  for (const source of sources) {
    if (!source) continue;
    if (out.name === undefined && source.name) out.name = source.name;
    if (out.number === undefined && source.number) out.number = source.number;
  }
  return out;
}

/**
 * The caller-id shown on legs inside the account: a masquerade configured on the flow wins, then the
 * device's, then its owner's internal caller-id, then what the phone presented.
 */
export function internalCallerId(caller: Caller, masquerade?: CallerId): CallerId {
  return firstOf(masquerade, caller.device?.caller_id?.internal, caller.user?.caller_id?.internal, caller.presented);
}

/** On carrier legs: masquerade, device, owner, then the account's external caller-id (the main number). */
export function externalCallerId(caller: Caller, account: RoutingAccount, masquerade?: CallerId): CallerId {
  return firstOf(
    masquerade,
    caller.device?.caller_id?.external,
    caller.user?.caller_id?.external,
    account.caller_id?.external,
    caller.presented,
  );
}

/** Dial-out (carrier calls) needs an explicit permission on the device, or else on its owner. */
export function mayDialOut(caller: Caller): { allowed: boolean; why: string } {
  const device = caller.device;
  if (device?.dialout_allowed !== undefined) {
    return { allowed: device.dialout_allowed, why: `device ${describeDevice(device)} ${device.dialout_allowed ? 'may' : 'may not'} dial out` };
  }
  const user = caller.user;
  if (user?.dialout_allowed !== undefined) {
    return { allowed: user.dialout_allowed, why: `user ${describeUser(user)} ${user.dialout_allowed ? 'may' : 'may not'} dial out` };
  }
  if (!device) return { allowed: false, why: 'caller is not a known device of the account: no dial-out' };
  return { allowed: false, why: `device ${describeDevice(device)} has no dial-out permission` };
}

export function describeDevice(device: RoutingDevice): string {
  return device.name ? `${device.name} (${device.sip.username})` : device.sip.username;
}

export function describeUser(user: RoutingUser): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
  return name || user.username || user._id;
}

export function formatCallerId(cid: CallerId): string {
  if (cid.name && cid.number) return `${cid.name} <${cid.number}>`;
  return cid.number ?? cid.name ?? '(none)';
}
