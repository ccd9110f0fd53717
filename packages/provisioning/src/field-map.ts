import type { Kind } from './kinds.js';

/**
 * Where a stored document's field comes from in the file: an owner names `sip.password`, the file
 * calls it `password`. Longest prefix first; fields not listed have the same name in both.
 */
const RENAMES: Partial<Record<Kind, Array<[string, string]>>> = {
  device: [
    ['sip.username', 'username'],
    ['sip.password', 'password'],
    ['sip.realm', 'realm'],
    ['sip.ip', 'ip'],
    ['sip', 'username'],
    ['call_waiting.enabled', 'call_waiting'],
    ['owner_id', '(owner)'],
  ],
  user: [
    ['call_forward.no_answer.after_s', 'forward.after.seconds'],
    ['call_forward.no_answer.number', 'forward.after.to'],
    ['call_forward.no_answer', 'forward.after'],
    ['call_forward', 'forward'],
    ['call_waiting.enabled', 'call_waiting'],
    ['calendar_id', 'calendar'],
  ],
  calendar: [
    ['source.ics', 'ics'],
    ['source.url', 'feed'],
    ['source.refresh_s', 'refresh_s'],
    ['source', 'ics'],
  ],
};

export function fileFieldOf(kind: Kind, docField: string): { path: Array<string | number>; label: string } {
  let label = docField;
  for (const [from, to] of RENAMES[kind] ?? []) {
    if (docField === from || docField.startsWith(`${from}.`)) {
      label = to + docField.slice(from.length);
      break;
    }
  }
  if (label === '(document)' || label === '(owner)') return { path: [], label };
  const path = label.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return { path, label };
}
