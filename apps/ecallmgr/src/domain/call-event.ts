import { toGregorianSeconds } from '@fife/api';
import { cavsOf, ccvsOf, customSipHeadersOf } from './ccv.js';
import { first, get, variable, type Fields } from './fields.js';

/** Channel events published on `callevt` (Kazoo's CALL_EVENTS that FreeSWITCH emits as such). */
export const PUBLISHED_EVENTS = [
  'CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_DESTROY', 'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE', 'CHANNEL_HOLD', 'CHANNEL_UNHOLD', 'CHANNEL_PROGRESS_MEDIA', 'CALL_UPDATE', 'DTMF', 'RECORD_START',
  'RECORD_STOP', 'DETECTED_TONE',
] as const;
const PUBLISHED = new Set<string>(PUBLISHED_EVENTS);

/** FreeSWITCH application → the Kazoo command name whapps expect in CHANNEL_EXECUTE* (kazoo-wire §5.1). */
const APP_NAMES: Record<string, string> = {
  playback: 'play',
  speak: 'tts',
  pre_answer: 'progress',
  ring_ready: 'ring',
  play_and_get_digits: 'play_and_collect_digits',
  endless_playback: 'hold',
  record_session: 'record_call',
  stop_record_session: 'record_call',
  rxfax: 'receive_fax',
  att_xfer: 'transfer',
};
/** Kazoo publishes nothing for these: bookkeeping applications and everything about park. */
const SILENT_APPS = new Set(['set', 'export', 'unset', 'multiset', 'multiunset', 'kz_multiset', 'kz_export', 'log', 'park', 'conference_set_auto_outcall']);

export function kazooAppName(app: string): string {
  return APP_NAMES[app] ?? app;
}

const INTEGER = /^\d+$/;
const int = (v: string | undefined): string | undefined => (v !== undefined && INTEGER.test(v) ? v : undefined);

function bareUri(value: string | undefined): string | undefined {
  return value?.replace(/^.*</, '').replace(/>.*$/, '').replace(/^sips?:/i, '').replace(/;.*$/, '').replace(/:\d+$/, '');
}

function nonEmpty<T extends object>(o: T): T | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}

/** Whether this FreeSWITCH event becomes a call event at all. */
export function isCallEvent(event: Fields): boolean {
  const name = get(event, 'Event-Name');
  if (!name || !PUBLISHED.has(name) || !get(event, 'Unique-ID')) return false;
  if (name === 'CHANNEL_EXECUTE' || name === 'CHANNEL_EXECUTE_COMPLETE') return !SILENT_APPS.has(get(event, 'Application') ?? '');
  return true;
}

/** The application's result as whapps read it; for bridge the originate disposition (default FAIL). */
function applicationResponse(event: Fields, app: string | undefined): string | undefined {
  if (app === 'bridge') return first(event, 'variable_originate_disposition', 'variable_DIALSTATUS') ?? 'FAIL';
  // The digits play_and_collect_digits gathered (ecallmgr names the variable in the command).
  if (app === 'play_and_get_digits') return variable(event, 'fife_collected_digits') ?? '';
  const response = get(event, 'Application-Response');
  return response === '_none_' ? undefined : response;
}

/** Call-event fields for a channel event (kazoo-wire §5.1), without the default headers. */
export function callEventFields(event: Fields): Record<string, unknown> {
  const name = get(event, 'Event-Name')!;
  const micros = get(event, 'Event-Date-Timestamp');
  const host = get(event, 'FreeSWITCH-Hostname');
  const app = get(event, 'Application');
  const isExecute = name === 'CHANNEL_EXECUTE' || name === 'CHANNEL_EXECUTE_COMPLETE';
  const fields: Record<string, unknown> = {
    'Event-Name': name,
    'Msg-ID': micros,
    'Call-ID': get(event, 'Unique-ID'),
    Timestamp: micros && INTEGER.test(micros) ? toGregorianSeconds(Math.floor(Number(micros) / 1e6)) : undefined,
    'Call-Direction': first(event, 'Call-Direction', 'Caller-Direction'),
    'Caller-ID-Name': get(event, 'Caller-Caller-ID-Name'),
    'Caller-ID-Number': get(event, 'Caller-Caller-ID-Number'),
    'Callee-ID-Name': get(event, 'Caller-Callee-ID-Name'),
    'Callee-ID-Number': get(event, 'Caller-Callee-ID-Number'),
    'Channel-Call-State': get(event, 'Channel-Call-State'),
    'Channel-State': get(event, 'Channel-State'),
    'Channel-Name': get(event, 'Channel-Name'),
    'Channel-Created-Time': int(get(event, 'Caller-Channel-Created-Time')),
    'Custom-Channel-Vars': nonEmpty(ccvsOf(event)),
    'Custom-Application-Vars': nonEmpty(cavsOf(event)),
    'Custom-SIP-Headers': nonEmpty(customSipHeadersOf(event)),
    'Other-Leg-Call-ID': first(event, 'Other-Leg-Unique-ID', 'variable_bridge_uuid', 'Bridge-B-Unique-ID'),
    'Other-Leg-Caller-ID-Name': get(event, 'Other-Leg-Caller-ID-Name'),
    'Other-Leg-Caller-ID-Number': get(event, 'Other-Leg-Caller-ID-Number'),
    'Other-Leg-Destination-Number': get(event, 'Other-Leg-Destination-Number'),
    'Other-Leg-Direction': get(event, 'Other-Leg-Direction'),
    'Application-Name': isExecute && app ? kazooAppName(app) : undefined,
    // Only a finished application has a result (a starting bridge has no disposition yet).
    'Application-Response': name === 'CHANNEL_EXECUTE_COMPLETE' ? applicationResponse(event, app) : undefined,
    'Raw-Application-Name': app,
    'Raw-Application-Data': get(event, 'Application-Data'),
    'Switch-Hostname': host,
    'Switch-Nodename': host ? `freeswitch@${host}` : undefined,
    'Media-Server': host,
    'Hangup-Cause': first(event, 'Hangup-Cause', 'variable_hangup_cause'),
    'Hangup-Code': variable(event, 'proto_specific_hangup_cause'),
    Disposition: variable(event, 'endpoint_disposition'),
    'Presence-ID': first(event, 'variable_presence_id', 'Channel-Presence-ID'),
    'From-Tag': variable(event, 'sip_from_tag'),
    'To-Tag': variable(event, 'sip_to_tag'),
  };
  if (name === 'CHANNEL_CREATE' || name === 'CHANNEL_ANSWER' || name === 'CHANNEL_DESTROY') {
    const dest = get(event, 'Caller-Destination-Number');
    const host2 = first(event, 'variable_sip_req_host', 'variable_domain_name');
    Object.assign(fields, {
      Request: dest && host2 ? `${dest}@${host2}` : undefined,
      To: bareUri(first(event, 'variable_sip_to_uri', 'variable_sip_req_uri')),
      From: bareUri(first(event, 'variable_sip_from_uri', 'variable_presence_id')),
    });
  }
  if (name === 'CHANNEL_DESTROY') {
    Object.assign(fields, {
      'Duration-Seconds': int(variable(event, 'duration')),
      'Billing-Seconds': int(variable(event, 'billsec')),
      'Ringing-Seconds': int(variable(event, 'progresssec')),
      'User-Agent': variable(event, 'sip_user_agent'),
    });
  }
  if (name === 'DTMF') Object.assign(fields, { 'DTMF-Digit': get(event, 'DTMF-Digit'), 'DTMF-Duration': int(get(event, 'DTMF-Duration')) });
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
