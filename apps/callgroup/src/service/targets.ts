import type { RingLeg } from '../domain/index.js';
import type { Contact } from './stage2-lookup.js';

const DIAL_SYNTAX = /[,|[\]{}<>^'"\\\s]|:_:/;

export interface TargetSettings {
  sipProfile: string;
  realm: string;
  /** contains `{number}` */
  externalTarget: string;
  contacts: ReadonlyMap<string, Contact>;
  staticTargets: Readonly<Record<string, string>>;
}

/**
 * Dial target of one leg (reference §2.2): a device leg goes to the contact it registered with
 * (one `sofia/` leg per contact: `user/` would ring only the first contact inside a forked dial),
 * a device with no known contact to `user/<device>@<realm>`, a static target as configured,
 * an external number through the configured route.
 */
export function targetResolver(settings: TargetSettings): (leg: RingLeg) => string {
  return (leg) => {
    if (leg.kind === 'static') return settings.staticTargets[leg.extension] ?? `loopback/${leg.extension}`;
    if (leg.kind === 'external') return settings.externalTarget.replaceAll('{number}', leg.extension);
    const device = leg.device ?? leg.extension;
    const contact = settings.contacts.get(device);
    if (!contact) return `user/${device}@${settings.realm}`;
    // e.g. an IPv6 literal: `[` `]` are dial-string syntax, so let FreeSWITCH look the contact up itself
    if (DIAL_SYNTAX.test(contact.uri)) return `user/${contact.username}@${settings.realm}`;
    // A trunk registration: the user part becomes the full dialled number (§1.7 step 6).
    const uri = leg.extension === contact.username ? contact.uri : withUser(contact.uri, leg.extension);
    return `sofia/${settings.sipProfile}/${uri}`;
  };
}

function withUser(uri: string, user: string): string {
  const match = /^(sips?:)?([^@]*@)?(.*)$/i.exec(uri)!;
  return `${match[1] ?? ''}${user}@${match[3]}`;
}
