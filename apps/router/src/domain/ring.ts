import { describeDevice, internalCallerId } from './caller-id.js';
import type { RoutingDevice } from './documents.js';
import type { Contact } from './lookups.js';
import type { ModuleContext } from './module.js';
import type { Leg } from './plan.js';

export interface RingTiming {
  delayS?: number;
  timeoutS?: number;
}

/** `sip:1001@10.0.0.2:5060` plus `;fs_path=<sip:proxy>` when the phone registered through a proxy. */
export function contactRoute(contact: Contact): string {
  return contact.proxyPath ? `${contact.uri};fs_path=<${contact.proxyPath}>` : contact.uri;
}

function legOf(ctx: ModuleContext<unknown>, device: RoutingDevice, contact: Contact, timing: RingTiming): Leg {
  const ccvs: Record<string, string> = { 'Account-ID': ctx.accountId, 'Authorizing-ID': device._id, 'Authorizing-Type': 'device' };
  if (device.owner_id) ccvs['Owner-ID'] = device.owner_id;
  return {
    inviteFormat: 'route',
    route: contactRoute(contact),
    toUser: device.sip.username,
    toRealm: device.sip.realm ?? ctx.account.realm,
    ...(timing.delayS ? { delayS: timing.delayS } : {}),
    ...(timing.timeoutS ? { timeoutS: timing.timeoutS } : {}),
    callerId: internalCallerId(ctx.caller, ctx.masquerade),
    ccvs,
    label: `${describeDevice(device)} at ${contact.uri}${contact.node ? ` (registered on ${contact.node})` : ''}`,
  };
}

/**
 * One leg per registered contact of a device (a phone registered twice rings twice); none when the
 * device is disabled, is the caller itself, or nothing is registered. Every case leaves a reason.
 */
export async function deviceLegs(ctx: ModuleContext<unknown>, device: RoutingDevice, timing: RingTiming = {}): Promise<Leg[]> {
  const who = describeDevice(device);
  if (!device.enabled) {
    ctx.reason(`device ${who} is disabled`);
    return [];
  }
  if (ctx.caller.device?._id === device._id) {
    ctx.reason(`device ${who} is the caller: not rung`);
    return [];
  }
  const realm = device.sip.realm ?? ctx.account.realm;
  let contacts: Contact[];
  try {
    const found = await ctx.lookups.registrations(realm, device.sip.username);
    if (found.note) ctx.reason(found.note);
    contacts = found.value;
  } catch (err) {
    ctx.reason(`registrations of ${who} unknown (${(err as Error).message}): treated as not registered`);
    return [];
  }
  if (contacts.length === 0) {
    ctx.reason(`device ${who} is not registered`);
    return [];
  }
  ctx.reason(`device ${who} registered at ${contacts.map((c) => c.uri).join(', ')}`);
  return contacts.map((contact) => legOf(ctx, device, contact, timing));
}

/**
 * In a call while call waiting is off: busy, as far as this call is concerned (ecallmgr's channel
 * query over the SIP users of the devices). Unknown is idle: better a second call than none.
 */
export async function busyWithoutCallWaiting(ctx: ModuleContext<unknown>, who: string, devices: RoutingDevice[]): Promise<boolean> {
  if (devices.length === 0) return false;
  try {
    const calls = await ctx.lookups.activeCalls(ctx.account.realm, devices.map((d) => d.sip.username));
    if (calls.note) ctx.reason(calls.note);
    if (calls.value > 0) {
      ctx.reason(`${who} busy (${calls.value} call${calls.value > 1 ? 's' : ''} on ${devices.map(describeDevice).join(', ')}), call waiting off`);
      return true;
    }
    ctx.reason(`${who} is in no call: call waiting off does not matter`);
  } catch (err) {
    ctx.reason(`calls of ${who} unknown (${(err as Error).message}): assumed idle`);
  }
  return false;
}
