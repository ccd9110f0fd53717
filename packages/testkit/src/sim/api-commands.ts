import type { Channel } from './call/channel.js';
import { uuidBridge } from './call/bridge.js';
import type { CallEngine } from './call/engine.js';
import { formatLocalDate, SITES } from './event-factory.js';
import type { LogLine } from './esl/frames.js';
import type { Registrar } from './sip/registrar.js';

export const FS_VERSION = '1.10.12-release~64bit';

/** What the API commands read and act on. */
export interface ApiContext {
  engine: CallEngine;
  registrar: Registrar;
  hostname: string;
  profileName: string;
  sipPort: number;
  startedAtMs: number;
  now(): number;
  log(line: LogLine): void;
}

export type ApiCommand = (ctx: ApiContext, args: string) => string | Promise<string>;

export function uptimeText(ms: number): string {
  const total = Math.max(0, ms);
  const s = Math.floor(total / 1000);
  const days = Math.floor(s / 86400);
  const years = Math.floor(days / 365);
  return (
    `${years} years, ${days % 365} days, ${Math.floor((s % 86400) / 3600)} hours, ${Math.floor((s % 3600) / 60)} minutes, ` +
    `${s % 60} seconds, ${Math.floor(total % 1000)} milliseconds, 0 microseconds`
  );
}

const status: ApiCommand = (ctx) => {
  const e = ctx.engine;
  return (
    `UP ${uptimeText(ctx.now() - ctx.startedAtMs)}\n` +
    'FreeSWITCH (Version 1.10.12-release  64bit) is ready\n' +
    `${e.sessionsSinceStartup} session(s) since startup\n` +
    `${e.channels.size} session(s) - peak ${e.peakSessions}, last 5min ${e.peakSessions} \n` +
    `0 session(s) per Sec out of max 30, peak ${e.peakSessions}, last 5min ${e.peakSessions} \n` +
    '100 session(s) max\nmin idle cpu 0.00/95.00\nCurrent Stack Size/Max 240K/8192K\n'
  );
};

const version: ApiCommand = () => `FreeSWITCH Version ${FS_VERSION} ( 64bit)\n`;

function rowsJson(rows: Array<Record<string, string>>): string {
  if (rows.length === 0) return '{"row_count": 0}\n';
  return `${JSON.stringify({ row_count: rows.length, rows })}\n`;
}

function channelRow(ctx: ApiContext, c: Channel): Record<string, string> {
  const p = c.profile;
  const codec = c.codec;
  const created = p.times.created;
  return {
    uuid: c.uuid, direction: c.direction, created: formatLocalDate(created), created_epoch: String(Math.floor(created / 1000)),
    name: c.name, state: c.runningState, cid_name: p.callerIdName, cid_num: p.callerIdNumber, ip_addr: p.networkAddr,
    dest: p.destinationNumber, application: c.getVar('current_application') ?? '',
    application_data: c.getVar('current_application_data') ?? '', dialplan: p.dialplan, context: p.context,
    read_codec: codec?.name ?? '', read_rate: codec ? String(codec.rate) : '', read_bit_rate: codec ? String(codec.bitRate) : '',
    write_codec: codec?.name ?? '', write_rate: codec ? String(codec.rate) : '', write_bit_rate: codec ? String(codec.bitRate) : '',
    secure: '', hostname: ctx.hostname, presence_id: c.presenceId ?? '', presence_data: '', accountcode: '',
    callstate: c.callState, callee_name: p.calleeIdName, callee_num: p.calleeIdNumber, callee_direction: '',
    call_uuid: c.callUuid === c.uuid ? '' : c.callUuid, sent_callee_name: '', sent_callee_num: '',
    initial_cid_name: p.callerIdName, initial_cid_num: p.callerIdNumber, initial_ip_addr: p.networkAddr,
    initial_dest: p.destinationNumber, initial_dialplan: p.dialplan, initial_context: p.context,
  };
}

const CALL_FIELDS = [
  'uuid', 'direction', 'created', 'created_epoch', 'name', 'state', 'cid_name', 'cid_num', 'ip_addr', 'dest',
  'presence_id', 'presence_data', 'accountcode', 'callstate', 'callee_name', 'callee_num', 'callee_direction',
  'call_uuid', 'hostname', 'sent_callee_name', 'sent_callee_num',
];
const B_FIELDS = [
  'uuid', 'direction', 'created', 'created_epoch', 'name', 'state', 'cid_name', 'cid_num', 'ip_addr', 'dest',
  'presence_id', 'presence_data', 'accountcode', 'callstate', 'callee_name', 'callee_num', 'callee_direction',
  'sent_callee_name', 'sent_callee_num',
];

/** `show calls`: one row per call, the bridged partner in the b_* columns. */
function callRows(ctx: ApiContext): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  for (const c of ctx.engine.channels.values()) {
    if (c.other?.type === 'originator' && c.other.channel.isUp) continue;
    const own = channelRow(ctx, c);
    const partner = c.other?.type === 'originatee' && c.other.channel.isUp ? channelRow(ctx, c.other.channel) : undefined;
    const row: Record<string, string> = {};
    for (const f of CALL_FIELDS) row[f] = own[f] ?? '';
    for (const f of B_FIELDS) row[`b_${f}`] = partner?.[f] ?? '';
    row['call_created_epoch'] = partner ? own['created_epoch']! : '';
    rows.push(row);
  }
  return rows;
}

const show: ApiCommand = (ctx, args) => {
  const words = args.trim().toLowerCase().split(/\s+/);
  const what = words[0] ?? '';
  const asJson = words.includes('json');
  let rows: Array<Record<string, string>>;
  if (what === 'channels') rows = [...ctx.engine.channels.values()].map((c) => channelRow(ctx, c));
  else if (what === 'calls') rows = callRows(ctx);
  else if (what === 'registrations') rows = ctx.registrar.rows();
  else return '-USAGE: show calls|channels|registrations [as json]\n';
  if (asJson) return rowsJson(rows);
  const header = Object.keys(rows[0] ?? { uuid: '' }).join(',');
  return `${header}\n${rows.map((r) => Object.values(r).join(',')).join('\n')}${rows.length ? '\n' : ''}\n${rows.length} total.\n`;
};

function channelOf(ctx: ApiContext, uuid: string | undefined): Channel | undefined {
  return uuid ? ctx.engine.channels.get(uuid) : undefined;
}

const uuidKill: ApiCommand = (ctx, args) => {
  const [uuid, cause] = args.trim().split(/\s+/);
  return uuid && ctx.engine.kill(uuid, cause) ? '+OK\n' : '-ERR No such channel!\n';
};

const uuidGetvar: ApiCommand = (ctx, args) => {
  const [uuid, name] = args.trim().split(/\s+/);
  const c = channelOf(ctx, uuid);
  if (!c || !name) return '-ERR No such channel!\n';
  return c.getVar(name) ?? '_undef_';
};

const uuidSetvar: ApiCommand = (ctx, args) => {
  const [uuid, name, ...value] = args.trim().split(/\s+/);
  const c = channelOf(ctx, uuid);
  if (!c || !name) return '-ERR No such channel!\n';
  c.setVar(name, value.length ? value.join(' ') : undefined);
  return '+OK\n';
};

const uuidAnswer: ApiCommand = (ctx, args) => {
  const c = channelOf(ctx, args.trim().split(/\s+/)[0]);
  if (!c) return '-ERR No such channel!\n';
  c.answer();
  return '+OK\n';
};

/** uuid_transfer <uuid> [-bleg|-both] <dest> [dialplan] [context] */
const uuidTransfer: ApiCommand = (ctx, args) => {
  const words = args.trim().split(/\s+/).filter((w) => !w.startsWith('-'));
  const [uuid, dest, , context] = words;
  const c = channelOf(ctx, uuid);
  if (!c || !dest) return '-ERR No such channel!\n';
  ctx.engine.sessionFor(c).requestTransfer(dest, context);
  return '+OK\n';
};

const uuidBridgeCommand: ApiCommand = (ctx, args) => {
  const [ua, ub] = args.trim().split(/\s+/);
  const a = channelOf(ctx, ua);
  const b = channelOf(ctx, ub);
  if (!a || !b) return `-ERR no such channel ${!a ? ua : ub}\n`;
  return uuidBridge(ctx.engine, a, b);
};

/** Channels put on hold by uuid_hold (the phone got a sendonly re-INVITE). */
const onHold = new WeakSet<Channel>();

/** uuid_hold [off|toggle] <uuid>: CHANNEL_HOLD / CHANNEL_UNHOLD when the state changes. */
const uuidHold: ApiCommand = (ctx, args) => {
  const words = args.trim().split(/\s+/);
  const mode = words[0] === 'off' || words[0] === 'toggle' ? words.shift() : 'on';
  const c = channelOf(ctx, words[0]);
  if (!c) return '-ERR Operation failed\n';
  const hold = mode === 'toggle' ? !onHold.has(c) : mode === 'on';
  if (hold === onHold.has(c)) return '+OK Success\n';
  if (hold) onHold.add(c);
  else onHold.delete(c);
  c.fire(hold ? 'CHANNEL_HOLD' : 'CHANNEL_UNHOLD', SITES.channelHold);
  return '+OK Success\n';
};

const uuidExists: ApiCommand = (ctx, args) => (channelOf(ctx, args.trim()) ? 'true' : 'false');

const hupall: ApiCommand = (ctx, args) => {
  const cause = args.trim().split(/\s+/)[0] || 'MANAGER_REQUEST';
  for (const c of [...ctx.engine.channels.values()]) ctx.engine.kill(c.uuid, cause);
  return `+OK hangup all channels with cause ${cause}\n`;
};

const SOFIA_RULE = '='.repeat(97);

const sofia: ApiCommand = (ctx, args) => {
  const words = args.trim().split(/\s+/);
  if (words[0] !== 'status') return '-ERR Usage: sofia status|...\n';
  if (words[1] === 'profile' && words[2] === ctx.profileName && words[3] === 'reg') return ctx.registrar.statusText();
  if (words[1] === 'profile' && words[2] !== ctx.profileName) return `Invalid Profile [${words[2] ?? ''}]\n`;
  const data = `sip:mod_sofia@127.0.0.1:${ctx.sipPort}`;
  return (
    `${'Name'.padStart(25)}\t${'Type'.padStart(7)}\t${'Data'.padStart(42)}\tState\n${SOFIA_RULE}\n` +
    `${ctx.profileName.padStart(25)}\t${'profile'.padStart(7)}\t${data.padStart(42)}\tRUNNING (0)\n${SOFIA_RULE}\n` +
    '1 profile 0 aliases\n'
  );
};

const log: ApiCommand = (ctx, args) => {
  const [levelWord = 'DEBUG', ...words] = args.trim().split(/\s+/);
  const levels = ['CONSOLE', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];
  const level = levels.indexOf(levelWord.toUpperCase());
  ctx.log({ level: level < 0 ? 7 : level, file: 'mod_commands.c', func: 'log_function', line: 7200, text: words.join(' ') });
  return '+OK\n';
};

export const API_COMMANDS: Record<string, ApiCommand> = {
  status,
  version,
  show,
  uuid_kill: uuidKill,
  uuid_getvar: uuidGetvar,
  uuid_setvar: uuidSetvar,
  uuid_exists: uuidExists,
  uuid_hold: uuidHold,
  uuid_answer: uuidAnswer,
  uuid_transfer: uuidTransfer,
  uuid_bridge: uuidBridgeCommand,
  hupall,
  originate: (ctx, args) => ctx.engine.originateCommand(args),
  sofia,
  log,
};

/** switch_api_execute as seen over ESL: unknown commands and empty output have fixed texts. */
export async function runApi(ctx: ApiContext, command: string, args: string): Promise<string> {
  const impl = API_COMMANDS[command.toLowerCase()];
  if (!impl) return `-ERR ${command} Command not found!\n`;
  const out = await impl(ctx, args);
  return out === '' ? '-ERR no reply\n' : out;
}
