import type { TimerHandle } from '../clock.js';
import { formatLocalDate, SITES } from '../event-factory.js';
import type { SimPhone } from './phone.js';
import type { SipHost } from './sip-host.js';

/** One contact in sofia's registration table. */
export interface Registration {
  user: string;
  realm: string;
  contactUri: string;
  callId: string;
  expiresS: number;
  registeredAtMs: number;
  networkIp: string;
  networkPort: number;
  userAgent: string;
  phone: SimPhone;
  directoryVars: Array<[string, string]>;
  expireTimer: TimerHandle | undefined;
}

export const contactHeader = (r: Registration): string => `"" <${r.contactUri}>`;
export const aorOf = (user: string, realm: string): string => `${user}@${realm}`.toLowerCase();

/** sofia's registration table: contacts per AOR, sofia::register / unregister / expire events, expiry timers. */
export class Registrar {
  private readonly byAor = new Map<string, Registration[]>();

  constructor(private readonly host: SipHost) {}

  all(): Registration[] {
    return [...this.byAor.values()].flat();
  }

  contacts(user: string, realm: string): Registration[] {
    return this.byAor.get(aorOf(user, realm)) ?? [];
  }

  /** Any contact of `user`, whatever the realm (sofia/<profile>/<user>@<host> lookups). */
  byUser(user: string): Registration[] {
    return this.all().filter((r) => r.user === user);
  }

  add(reg: Registration): void {
    const list = this.contacts(reg.user, reg.realm).filter((r) => {
      if (r.contactUri !== reg.contactUri) return true;
      this.host.clock.clearTimer(r.expireTimer);
      return false;
    });
    list.push(reg);
    this.byAor.set(aorOf(reg.user, reg.realm), list);
    const lifetimeMs = (reg.expiresS + this.host.expireMarginS) * 1000;
    reg.expireTimer = this.host.clock.setTimer(lifetimeMs, () => this.expire(reg));
    this.fireRegister(reg);
  }

  remove(reg: Registration): void {
    this.drop(reg);
    const e = this.host.events.create('CUSTOM', SITES.sofiaUnregister, 'sofia::unregister');
    e.add('profile-name', this.host.profileName)
      .add('username', reg.user)
      .add('from-user', reg.user)
      .add('from-host', reg.realm)
      .add('contact', contactHeader(reg))
      .add('call-id', reg.callId)
      .add('rpid', 'unknown')
      .add('realm', reg.realm)
      .add('network-ip', reg.networkIp)
      .add('network-port', String(reg.networkPort))
      .add('user-agent', reg.userAgent)
      .add('expires', '0');
    this.addUserVars(e, reg);
    this.host.fire(e);
  }

  /** sofia_reg_del_callback: the contact lapsed (Expires plus the late margin) without a refresh. */
  expire(reg: Registration): void {
    if (!this.drop(reg)) return;
    const e = this.host.events.create('CUSTOM', SITES.sofiaExpire, 'sofia::expire');
    e.add('profile-name', this.host.profileName)
      .add('call-id', reg.callId)
      .add('user', reg.user)
      .add('username', reg.user)
      .add('host', reg.realm)
      .add('contact', contactHeader(reg))
      .add('expires', String(Math.floor(reg.registeredAtMs / 1000) + reg.expiresS))
      .add('user-agent', reg.userAgent)
      .add('realm', reg.realm)
      .add('network-ip', reg.networkIp)
      .add('network-port', String(reg.networkPort));
    this.host.fire(e);
  }

  clearTimers(): void {
    for (const r of this.all()) this.host.clock.clearTimer(r.expireTimer);
  }

  /** `show registrations as json` rows (the core DB's registrations table). */
  rows(): Array<Record<string, string>> {
    return this.all().map((r) => ({
      reg_user: r.user,
      realm: r.realm,
      token: r.callId,
      url: `sofia/${this.host.profileName}/${r.contactUri}`,
      expires: String(Math.floor(r.registeredAtMs / 1000) + r.expiresS + this.host.expireMarginS),
      network_ip: r.networkIp,
      network_port: String(r.networkPort),
      network_proto: 'udp',
      hostname: this.host.identity.hostname,
      metadata: '',
    }));
  }

  /** `sofia status profile <p> reg` text block. */
  statusText(): string {
    const regs = this.all();
    let out = '\nRegistrations:\n' + '='.repeat(97) + '\n';
    for (const r of regs) {
      const exp = formatLocalDate(r.registeredAtMs + (r.expiresS + this.host.expireMarginS) * 1000);
      out +=
        `Call-ID:    \t${r.callId}\nUser:       \t${r.user}@${r.realm}\nContact:    \t${contactHeader(r)}\n` +
        `Agent:      \t${r.userAgent}\nStatus:     \tRegistered(UDP)(unknown) EXP(${exp}) EXPSECS(${r.expiresS + this.host.expireMarginS})\n` +
        `Ping-Status:\tReachable\nPing-Time:\t0.00\nHost:       \t${this.host.identity.hostname}\nIP:         \t${r.networkIp}\n` +
        `Port:       \t${r.networkPort}\nAuth-User:  \t${r.user}\nAuth-Realm: \t${r.realm}\nMWI-Account:\t${r.user}@${r.realm}\n\n`;
    }
    return out + `Total items returned: ${regs.length}\n` + '='.repeat(97) + '\n';
  }

  private drop(reg: Registration): boolean {
    const key = aorOf(reg.user, reg.realm);
    const list = this.byAor.get(key) ?? [];
    const kept = list.filter((r) => r !== reg);
    this.host.clock.clearTimer(reg.expireTimer);
    if (kept.length === list.length) return false;
    if (kept.length) this.byAor.set(key, kept);
    else this.byAor.delete(key);
    return true;
  }

  private fireRegister(reg: Registration): void {
    const e = this.host.events.create('CUSTOM', SITES.sofiaRegister, 'sofia::register');
    e.add('profile-name', this.host.profileName)
      .add('from-user', reg.user)
      .add('from-host', reg.realm)
      .add('presence-hosts', 'n/a')
      .add('contact', contactHeader(reg))
      .add('call-id', reg.callId)
      .add('rpid', 'unknown')
      .add('status', 'Registered(UDP)')
      .add('expires', String(reg.expiresS))
      .add('to-user', reg.user)
      .add('to-host', reg.realm)
      .add('network-ip', reg.networkIp)
      .add('network-port', String(reg.networkPort))
      .add('username', reg.user)
      .add('realm', reg.realm)
      .add('user-agent', reg.userAgent);
    this.addUserVars(e, reg);
    this.host.fire(e);
  }

  /** The authenticated user's identity and directory variables, as sofia appends them. */
  private addUserVars(e: ReturnType<SipHost['events']['create']>, reg: Registration): void {
    e.add('sip_number_alias', reg.user)
      .add('sip_auth_username', reg.user)
      .add('sip_auth_realm', reg.realm)
      .add('number_alias', reg.user)
      .add('user_name', reg.user)
      .add('domain_name', reg.realm);
    for (const [k, v] of reg.directoryVars) e.add(k, v);
  }
}
