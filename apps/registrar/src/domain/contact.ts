import { FifeError } from '@fife/api';

/**
 * A SIP Contact as the registrar needs it. Peers send three shapes: Kamailio the raw header value
 * (`"Bob" <sip:1001@[2001:db8::5]:5060;transport=udp>;+sip.instance="<urn:uuid:…>";reg-id=1`), ecallmgr
 * the bare URI (`sip:1001@10.0.0.5:5060;transport=udp`), and `*` for "every binding" on unregister.
 */
export interface ParsedContact {
  /** The value exactly as received. */
  raw: string;
  wildcard: boolean;
  /** The URI without display name and angle brackets, URI parameters kept. */
  uri: string;
  scheme: string;
  user: string | undefined;
  /** Host without brackets, lowercased; an IPv6 literal in its compressed form. */
  host: string;
  port: number | undefined;
  transport: string | undefined;
  uriParams: Record<string, string>;
  headerParams: Record<string, string>;
  /** RFC 5626 `+sip.instance`, without quotes and angle brackets (e.g. `urn:uuid:…`). */
  instanceId: string | undefined;
  /** RFC 5626 `reg-id`. */
  regId: string | undefined;
}

function invalid(raw: string, why: string): FifeError {
  return new FifeError('registrar.invalid_contact', `invalid Contact "${raw}": ${why}`, { contact: raw });
}

/**
 * Splits `;a=b;c` honouring double quotes (a quoted +sip.instance value contains `<`, `>` and `:`) and
 * angle brackets (`fs_path=<sip:10.0.0.5;lr>` is one parameter).
 */
function splitParams(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let depth = 0;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth = Math.max(0, depth - 1);
    if (ch === ';' && !quoted && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const part of splitParams(text)) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    params[name] = eq < 0 ? '' : part.slice(eq + 1).trim();
  }
  return params;
}

const unquote = (value: string): string => value.replace(/^"(.*)"$/, '$1').replace(/^<(.*)>$/, '$1');

/** `[2001:0db8::0005]` → `2001:db8::5`; other hosts lowercased. */
export function canonicalHost(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (!bare.includes(':')) return bare.toLowerCase();
  try {
    return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return bare.toLowerCase();
  }
}

/** Host and port of `host`, `host:port`, `[v6]` or `[v6]:port`. */
export function splitHostPort(hostPort: string): { host: string; port: number | undefined } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (v6) return { host: canonicalHost(v6[1]!), port: v6[2] ? Number(v6[2]) : undefined };
  const colons = hostPort.split(':').length - 1;
  // A bare IPv6 address (more than one colon, no brackets) has no port part.
  if (colons > 1) return { host: canonicalHost(hostPort), port: undefined };
  const [host = '', port] = hostPort.split(':');
  return { host: canonicalHost(host), port: port ? Number(port) : undefined };
}

/** The URI between angle brackets (or the whole value) and what follows the closing bracket. */
function splitNameAddr(raw: string): { uri: string; rest: string; bracketed: boolean } {
  const open = raw.indexOf('<');
  // A `<` after the scheme is inside a bare URI (ecallmgr's `;fs_path=<sip:…>`), not a name-addr.
  if (open < 0 || raw.slice(0, open).replace(/"[^"]*"/g, '').includes(':')) return { uri: raw.trim(), rest: '', bracketed: false };
  const close = raw.indexOf('>', open);
  if (close < 0) throw invalid(raw, 'unclosed "<"');
  return { uri: raw.slice(open + 1, close).trim(), rest: raw.slice(close + 1), bracketed: true };
}

export function parseContact(raw: string): ParsedContact {
  const trimmed = raw.trim();
  if (trimmed === '*') {
    return { raw, wildcard: true, uri: '*', scheme: '', user: undefined, host: '', port: undefined, transport: undefined, uriParams: {}, headerParams: {}, instanceId: undefined, regId: undefined };
  }
  const { uri, rest, bracketed } = splitNameAddr(trimmed);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  if (!scheme) throw invalid(raw, 'no URI scheme (expected sip:, sips: or tel:)');
  const afterScheme = uri.slice(scheme[0].length).replace(/\?.*$/, '');
  const [userHost = '', ...paramParts] = splitParams(afterScheme);
  const at = userHost.lastIndexOf('@');
  const user = at < 0 ? undefined : userHost.slice(0, at);
  const { host, port } = splitHostPort(at < 0 ? userHost : userHost.slice(at + 1));
  if (host === '') throw invalid(raw, 'no host');
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw invalid(raw, 'bad port');
  const uriParams = parseParams(paramParts.join(';'));
  const headerParams = bracketed ? parseParams(rest) : {};
  // Without angle brackets a peer (ecallmgr) means the URI; RFC 5626 parameters may then sit among its params.
  const outbound = bracketed ? headerParams : uriParams;
  const instance = outbound['+sip.instance'];
  return {
    raw,
    wildcard: false,
    uri,
    scheme: scheme[1]!.toLowerCase(),
    user,
    host,
    port,
    transport: uriParams.transport?.toLowerCase(),
    uriParams,
    headerParams,
    instanceId: instance ? unquote(instance) : undefined,
    regId: outbound['reg-id'] || undefined,
  };
}

/** Parses without throwing: a peer's odd Contact must still be storable as an opaque value. */
export function tryParseContact(raw: string): ParsedContact | undefined {
  try {
    return parseContact(raw);
  } catch {
    return undefined;
  }
}

/**
 * What identifies a binding of one AOR: the RFC 5626 instance (plus reg-id) when the phone sent one, so
 * a phone that moved to another address replaces its old binding; else the normalised URI, so
 * `transport=UDP` and `transport=udp` or `[2001:0db8::5]` and `[2001:db8::5]` are one binding.
 */
export function bindingKey(contact: ParsedContact): string {
  if (contact.instanceId) return `instance:${contact.instanceId.toLowerCase()}${contact.regId ? `;reg-id=${contact.regId}` : ''}`;
  const defaultPort = contact.scheme === 'sips' ? 5061 : 5060;
  const host = contact.host.includes(':') ? `[${contact.host}]` : contact.host;
  return `${contact.scheme}:${contact.user ?? ''}@${host}:${contact.port ?? defaultPort};transport=${contact.transport ?? 'udp'}`;
}
