import { childrenNamed, firstChild, type XmlNode } from '../xml-tree.js';
import { digestResponse, ha1Of, type DigestCredentials } from './digest.js';

/** A user entry from a directory answer, with the params that apply to it (user over group over domain). */
export interface DirectoryUser {
  id: string;
  params: Map<string, string>;
  variables: Array<[string, string]>;
  domainParams: Map<string, string>;
  groupParams: Map<string, string>;
  /** The <params> element was absent: FreeSWITCH skips digest auth entirely for such a user. */
  hasParams: boolean;
}

function readPairs(node: XmlNode | undefined, tag: string): Array<[string, string]> {
  if (!node) return [];
  return childrenNamed(node, tag).map((p) => [p.attrs['name'] ?? '', p.attrs['value'] ?? ''] as [string, string]);
}

/** switch_xml_locate_user: domain by name (case-insensitive), user by id directly under <users> or inside <groups>. */
export function findDirectoryUser(section: XmlNode, domain: string, user: string): DirectoryUser | undefined {
  const dom = childrenNamed(section, 'domain').find((d) => (d.attrs['name'] ?? '').toLowerCase() === domain.toLowerCase());
  if (!dom) return undefined;
  const domainParams = new Map(readPairs(firstChild(dom, 'params'), 'param'));
  const domainVars = readPairs(firstChild(dom, 'variables'), 'variable');
  const candidates: Array<{ node: XmlNode; group: XmlNode | undefined }> = [];
  for (const users of childrenNamed(dom, 'users')) for (const u of childrenNamed(users, 'user')) candidates.push({ node: u, group: undefined });
  for (const groups of childrenNamed(dom, 'groups')) {
    for (const group of childrenNamed(groups, 'group')) {
      for (const users of childrenNamed(group, 'users')) for (const u of childrenNamed(users, 'user')) candidates.push({ node: u, group });
    }
  }
  const found = candidates.find((c) => c.node.attrs['id'] === user || c.node.attrs['number-alias'] === user);
  if (!found) return undefined;
  const paramsNode = firstChild(found.node, 'params');
  return {
    id: found.node.attrs['id'] ?? user,
    params: new Map(readPairs(paramsNode, 'param')),
    variables: [...domainVars, ...readPairs(firstChild(found.node, 'variables'), 'variable')],
    domainParams,
    groupParams: new Map(readPairs(found.group && firstChild(found.group, 'params'), 'param')),
    hasParams: paramsNode !== undefined,
  };
}

/** A param looked up user first, then group, then domain (dial-string can sit at any level). */
export function userParam(user: DirectoryUser, name: string): string | undefined {
  return user.params.get(name) ?? user.groupParams.get(name) ?? user.domainParams.get(name);
}

export type DigestVerdict = 'ok' | 'skip-auth' | 'forbidden';

/**
 * sofia_reg_parse_auth's check: HA1 from `a1-hash`, else from `password`; no <params> at all means no check.
 * An empty password needs allow-empty-password.
 */
export function verifyDigest(user: DirectoryUser, creds: DigestCredentials): DigestVerdict {
  if (!user.hasParams) return 'skip-auth';
  const a1 = user.params.get('a1-hash');
  const password = user.params.get('password');
  if (a1 === undefined && password === undefined) return 'skip-auth';
  if (a1 === undefined && password === '' && user.params.get('allow-empty-password') !== 'true') return 'forbidden';
  const ha1 = a1 ?? ha1Of(creds.username, creds.realm, password ?? '');
  return digestResponse(ha1, creds) === creds.response ? 'ok' : 'forbidden';
}
