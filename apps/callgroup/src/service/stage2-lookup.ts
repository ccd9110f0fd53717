import type { Logger } from 'pino';
import { call, everyChannelResponder, registration } from '@fife/api';
import type { Bus } from '@fife/bus';
import { DeviceIdSchema, type NodeLogEntry, type Stage2State } from '../domain/index.js';
import type { CallgroupConfig } from '../config.js';

/** A registered contact, kept so the rendering can dial the device where it registered. */
export interface Contact {
  uri: string;
  username: string;
}

export interface Stage2Lookup {
  state: Stage2State;
  contacts: Map<string, Contact>;
  /** per stage-2 user: where its state came from (goes onto its tree nodes) */
  notes: Map<string, NodeLogEntry[]>;
  /** call-wide summary for the reply */
  summary: string[];
}

export interface LookupInput {
  users: string[];
  realm: string;
  callWaiting: Record<string, boolean>;
  staticTargets: Record<string, string>;
  budgetMs: number;
}

type Settings = Pick<CallgroupConfig, 'CALLGROUP_REG_TIMEOUT_MS' | 'CALLGROUP_CHANNELS_TIMEOUT_MS' | 'CALLGROUP_BUSY_LOOKUP' | 'CALLGROUP_SILENT_REGISTRAR'>;

/**
 * Stage-2 state of the users a plan may ring, over AMQP and bounded in time: registrations from the
 * registrar (reg_query), calls in progress from ecallmgr (query_user_channels), both at once.
 * Silence is never an error: it is resolved by the configured assumption and said so in the notes.
 */
export async function lookupStage2(bus: Bus, settings: Settings, input: LookupInput, log: Logger): Promise<Stage2Lookup> {
  const result: Stage2Lookup = {
    state: { registrations: {}, busy: {}, call_waiting: { ...input.callWaiting }, static: { ...input.staticTargets } },
    contacts: new Map(),
    notes: new Map(),
    summary: [],
  };
  const users = input.users.filter((u) => input.staticTargets[u] === undefined);
  if (users.length === 0) return result;
  if (input.budgetMs <= 0) return skipped(settings, input, users, result);
  await Promise.all([
    registrations(bus, settings, input, users, result, log),
    channels(bus, settings, input, users, result, log),
  ]);
  return result;
}

/** The requester left no time to ask: every user gets the silence assumptions, said so. */
function skipped(settings: Settings, input: LookupInput, users: string[], result: Stage2Lookup): Stage2Lookup {
  const offline = settings.CALLGROUP_SILENT_REGISTRAR === 'offline';
  for (const user of users) {
    if (offline) result.state.registrations[user] = [];
    note(result, user, 'stage2.not_asked', `Stage2-Timeout-Ms 0: registrar not asked (${offline ? 'treated as not registered' : `assumed registered, rung as user/${user}@${input.realm}`}), assumed idle`);
  }
  result.summary.push(`Stage2-Timeout-Ms 0: registrar and ecallmgr not asked; ${offline ? 'users treated as not registered' : 'users assumed registered'} and idle`);
  return result;
}

function note(result: Stage2Lookup, user: string, code: string, message: string): void {
  const list = result.notes.get(user) ?? [];
  list.push({ code, message });
  result.notes.set(user, list);
}

async function registrations(bus: Bus, settings: Settings, input: LookupInput, users: string[], result: Stage2Lookup, log: Logger): Promise<void> {
  const timeoutMs = Math.min(settings.CALLGROUP_REG_TIMEOUT_MS, input.budgetMs);
  let silent = 0;
  await Promise.all(
    users.map(async (user) => {
      const replies = await bus
        .collect(
          registration.query,
          { Realm: input.realm, Username: user, Fields: ['Contact', 'Username'] },
          // Registrars share one registrations database: the first answer is the answer.
          { timeoutMs, count: 1, replies: [registration.queryResp, registration.queryError] },
        )
        .catch((err: unknown) => {
          log.warn({ err, user }, 'callgroup: reg_query could not be sent');
          return [];
        });
      const reply = replies[0];
      if (!reply) {
        silent++;
        return silentRegistrar(settings, input, user, timeoutMs, result);
      }
      const devices = reply['Event-Name'] === 'reg_query_error' ? [] : contactsOf(reply, user, result);
      result.state.registrations[user] = devices;
      note(result, user, 'stage2.registrations', devices.length === 0 ? 'registrar: not registered' : `registrar: registered as ${devices.join(', ')}`);
    }),
  );
  if (silent > 0) {
    const assumed = settings.CALLGROUP_SILENT_REGISTRAR === 'offline' ? 'treated as not registered' : 'assumed registered (FreeSWITCH decides)';
    result.summary.push(`registrations: no registrar answered for ${silent} of ${users.length} users within ${timeoutMs} ms, ${assumed}`);
    log.warn({ silent, users: users.length, timeoutMs }, `callgroup: registrar silent, ${assumed}`);
  }
}

function silentRegistrar(settings: Settings, input: LookupInput, user: string, timeoutMs: number, result: Stage2Lookup): void {
  if (settings.CALLGROUP_SILENT_REGISTRAR === 'offline') {
    result.state.registrations[user] = [];
    note(result, user, 'stage2.registrar_silent', `no registrar answered reg_query within ${timeoutMs} ms: treated as not registered`);
    return;
  }
  // Left out of `registrations`: the domain's default is one device named like the user.
  note(result, user, 'stage2.registrar_silent', `no registrar answered reg_query within ${timeoutMs} ms: assumed registered, rung as user/${user}@${input.realm}`);
}

/** Device ids for the domain (a safe alphabet), each mapped back to the contact it stands for. */
function contactsOf(reply: Record<string, unknown>, user: string, result: Stage2Lookup): string[] {
  const devices: string[] = [];
  for (const entry of (reply.Fields as Record<string, unknown>[] | undefined) ?? []) {
    if (typeof entry.Contact !== 'string') continue;
    const uri = contactUri(entry.Contact);
    const device = deviceIdOf(uri);
    if (devices.includes(device) || !DeviceIdSchema.safeParse(device).success) continue;
    devices.push(device);
    result.contacts.set(device, { uri, username: typeof entry.Username === 'string' ? entry.Username : user });
  }
  return devices;
}

/** `<sip:1001@10.0.0.1:5060;transport=udp>;expires=60` → `sip:1001@10.0.0.1:5060;transport=udp`. */
export function contactUri(contact: string): string {
  const bracketed = /<([^>]*)>/.exec(contact);
  return (bracketed ? bracketed[1]! : contact.split(';')[0]!).trim();
}

/** `sip:1001@[2001:db8::5]:5060;transport=udp` → `1001@2001_db8__5_5060`. */
export function deviceIdOf(uri: string): string {
  const bare = uri.replace(/^sips?:/i, '').split(';')[0]!;
  return bare.replace(/[[\]]/g, '').replace(/[^A-Za-z0-9_.@+-]/g, '_');
}

async function channels(bus: Bus, settings: Settings, input: LookupInput, users: string[], result: Stage2Lookup, log: Logger): Promise<void> {
  if (settings.CALLGROUP_BUSY_LOOKUP === 'off') {
    result.summary.push('busy: lookup switched off (CALLGROUP_BUSY_LOOKUP=off), everyone assumed idle');
    for (const user of users) note(result, user, 'stage2.busy_assumed', 'busy lookup off: assumed idle');
    return;
  }
  const timeoutMs = Math.min(settings.CALLGROUP_CHANNELS_TIMEOUT_MS, input.budgetMs);
  const replies = await bus
    .collect(
      call.userChannelsReq,
      { Usernames: users, Realm: input.realm, 'Active-Only': true, 'Fife-Reply-Always': true },
      { timeoutMs, replies: [call.userChannelsResp], until: everyChannelResponder },
    )
    .catch((err: unknown) => {
      log.warn({ err }, 'callgroup: query_user_channels could not be sent');
      return [];
    });
  const callsOf = new Map<string, Set<string>>();
  for (const reply of replies) {
    for (const channel of (reply.Channels as Record<string, unknown>[] | undefined) ?? []) {
      const user = users.find((u) => u.toLowerCase() === String(channel.Username ?? '').toLowerCase());
      if (!user) continue;
      const calls = callsOf.get(user) ?? new Set<string>();
      calls.add(String(channel['Call-ID'] ?? `${calls.size}`));
      callsOf.set(user, calls);
    }
  }
  for (const [user, calls] of callsOf) result.state.busy[user] = calls.size;
  if (replies.length === 0) result.summary.push(`busy: no ecallmgr reported channels within ${timeoutMs} ms, everyone assumed idle`);
  for (const user of users) {
    const n = callsOf.get(user)?.size ?? 0;
    if (n > 0) note(result, user, 'stage2.busy', `ecallmgr: ${n} call(s) in progress`);
    else if (replies.length === 0) note(result, user, 'stage2.busy_assumed', `no ecallmgr reported channels within ${timeoutMs} ms: assumed idle`);
    else note(result, user, 'stage2.idle', 'ecallmgr: no call in progress');
  }
}
