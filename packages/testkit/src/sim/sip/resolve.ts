import type { Channel } from '../call/channel.js';
import { splitTopLevel, takeVarBlocks, type VarMap } from '../call/dial-string.js';
import { expandVariables } from '../call/expand.js';
import { normaliseCause } from '../call/hangup-causes.js';
import type { Resolution } from '../call/originate.js';
import { SITES } from '../event-factory.js';
import { findDirectoryUser, userParam } from './directory.js';
import type { SimPhone } from './phone.js';
import type { SipHost } from './sip-host.js';

/** FreeSWITCH's default when a user has no dial-string: every registered contact of the user. */
const DEFAULT_DIAL_STRING = '{presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}';

/**
 * Endpoint resolution for bridge/originate legs: `error/<cause>`, `user/<user>@<domain>` (directory fetch with
 * action=user_call, then the user's dial-string), `sofia/<profile>/<contact>` to a registered phone.
 */
export async function resolveEndpoint(host: SipHost, target: string, vars: VarMap, caller: Channel | undefined): Promise<Resolution> {
  const slash = target.indexOf('/');
  const tech = slash < 0 ? target : target.slice(0, slash);
  const rest = slash < 0 ? '' : target.slice(slash + 1);
  switch (tech) {
    case 'error':
      return { ok: false, cause: normaliseCause(rest, 'DESTINATION_OUT_OF_ORDER') };
    case 'user':
      return resolveUser(host, rest, caller);
    case 'sofia':
      return resolveSofia(host, rest, vars);
    default:
      return { ok: false, cause: 'CHAN_NOT_IMPLEMENTED' };
  }
}

async function resolveUser(host: SipHost, rest: string, caller: Channel | undefined): Promise<Resolution> {
  const at = rest.indexOf('@');
  const user = at < 0 ? rest : rest.slice(0, at);
  const domain = at < 0 ? (caller?.getVar('domain_name') ?? host.identity.hostname) : rest.slice(at + 1);
  const params = host.events.create('REQUEST_PARAMS', SITES.dirUserCall);
  params.add('as_channel', 'true').add('action', 'user_call').add('key', 'id').add('user', user).add('domain', domain);
  const section = await host.xmlCurl.fetch({ section: 'directory', tagName: 'domain', keyName: 'name', keyValue: domain }, params);
  const entry = section && section !== 'not-found' ? findDirectoryUser(section, domain, user) : undefined;
  if (!entry) return { ok: false, cause: 'SUBSCRIBER_ABSENT' };
  const dialString = userParam(entry, 'dial-string') ?? DEFAULT_DIAL_STRING;
  const extra = { dialed_user: user, dialed_domain: domain };
  const expanded = expandSofiaContact(host, expandVariables(dialString, caller, extra).replace(/\$\{dialed_(user|domain)\}/g, (_, k: string) => (k === 'user' ? user : domain)));
  const { vars, rest: legs } = takeVarBlocks(expanded, '{[');
  const base: VarMap = { dialed_user: user, dialed_domain: domain, ...vars };
  for (const [k, v] of entry.variables) base[k] ??= v;
  const resolved = await Promise.all(
    splitTopLevel(legs, ',')
      .map((leg) => takeVarBlocks(leg.trim(), '[{'))
      .filter((leg) => leg.rest.length > 0)
      .map(async (leg) => ({ leg, res: await resolveEndpoint(host, leg.rest, { ...base, ...leg.vars }, caller) })),
  );
  const ok = resolved.filter((r) => r.res.ok);
  if (ok.length === 0) return resolved[0]?.res ?? { ok: false, cause: 'USER_NOT_REGISTERED' };
  const [first, ...others] = ok.map(({ leg, res }) => {
    const r = res as Extract<Resolution, { ok: true }>;
    return { target: r.target, vars: { ...base, ...leg.vars, ...r.vars } };
  });
  return { ok: true, target: first!.target, vars: first!.vars, alternates: others };
}

/** ${sofia_contact([profile|*]/user@domain)}: the registered contacts as sofia/<profile>/<uri>, or error/user_not_registered. */
function expandSofiaContact(host: SipHost, text: string): string {
  return text.replace(/\$\{sofia_contact\(([^)]*)\)\}/g, (_, arg: string) => {
    const aor = arg.includes('/') ? arg.slice(arg.lastIndexOf('/') + 1) : arg;
    const [user = '', domain = ''] = aor.split('@');
    const contacts = host.registrar.contacts(user, domain);
    if (contacts.length === 0) return 'error/user_not_registered';
    return contacts.map((c) => `sofia/${host.profileName}/${c.contactUri}`).join(',');
  });
}

/** sofia/<profile>/[sip:]user@host[:port]: the phone registered at that contact (or under that user). */
function resolveSofia(host: SipHost, rest: string, vars: VarMap): Resolution {
  const after = rest.slice(rest.indexOf('/') + 1).replace(/^sips?:/, '').replace(/[;>].*$/, '');
  const [user = '', hostPart = ''] = after.split('@');
  const [ip, port] = hostPart.split(':');
  const regs = host.registrar.byUser(user);
  const exact = regs.find((r) => r.networkIp === ip && (port === undefined || String(r.networkPort) === port));
  const phone: SimPhone | undefined = (exact ?? regs.find((r) => r.realm === ip))?.phone ?? regs[0]?.phone;
  if (!phone) return { ok: false, cause: 'NORMAL_TEMPORARY_FAILURE' };
  return {
    ok: true,
    vars,
    target: { endpoint: phone.aor, start: (context) => phone.ring(context) },
  };
}
