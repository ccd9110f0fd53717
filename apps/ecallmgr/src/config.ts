import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FifeError } from '@fife/api';
import type { Config } from '@fife/whapp';

/** One FreeSWITCH node this process holds an inbound ESL connection to. */
export const fsNodeSchema = z.object({
  name: z.string().min(1).optional().describe('label in metrics and node messages; default host:port'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(8021),
  password: z.string().min(1).optional().describe('ESL password; default ECALLMGR_FS_PASSWORD'),
});
export type FsNodeConfig = z.infer<typeof fsNodeSchema>;

/**
 * `ECALLMGR_FS_NODES` is either a JSON array of `{name?, host, port?, password?}` or a comma-separated
 * `host[:port]` list. The list is this process's partition: no two ecallmgr processes may list the same node.
 */
export function parseFsNodes(text: string): FsNodeConfig[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const raw: unknown = trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split(',').map((entry) => hostPort(entry.trim()));
  return z.array(fsNodeSchema).parse(raw);
}

function hostPort(entry: string): { host: string; port?: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
  if (!m) throw new Error(`"${entry}" is not host[:port]`);
  return m[2] ? { host: m[1]!, port: Number(m[2]) } : { host: m[1]! };
}

const fsNodesText = z
  .string()
  .default('')
  .transform((text, ctx) => {
    try {
      return parseFsNodes(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a node list: ${(err as Error).message}` });
      return z.NEVER;
    }
  });

const ms = (fallback: number) => z.coerce.number().int().positive().max(60_000).default(fallback);

export const ecallmgrConfig = {
  ECALLMGR_FS_NODES: fsNodesText.describe('FreeSWITCH nodes owned by this process: JSON [{"name","host","port","password"}] or "host[:port],..."'),
  ECALLMGR_NODE_LEASES: z
    .enum(['on', 'off'])
    .default('on')
    .describe('on: ecallmgr processes listing the same node share it active/standby (a broker lease per node name); off: each node must be listed by one process only'),
  ECALLMGR_FS_PASSWORD: z.string().min(1).default('ClueCon').describe('ESL password of nodes that do not name their own; the factory ClueCon is refused for nodes off loopback'),
  ECALLMGR_FS_PASSWORD_FILE: z.string().min(1).optional().describe('File holding the ESL password (docker secret); wins over ECALLMGR_FS_PASSWORD'),
  ECALLMGR_ESL_HEARTBEAT_TIMEOUT_MS: ms(45_000).describe('A node silent this long (no HEARTBEAT, which FreeSWITCH sends every 20 s) is marked down and reconnected'),
  ECALLMGR_XMLCURL_HOST: z.string().min(1).default('127.0.0.1').describe('Address the mod_xml_curl endpoint binds to'),
  ECALLMGR_XMLCURL_PORT: z.coerce.number().int().min(0).max(65535).default(8081).describe('Port of the mod_xml_curl endpoint (0 = any free port)'),
  ECALLMGR_XMLCURL_USER: z.string().min(1).optional().describe('Basic-auth user FreeSWITCH must send (gateway-credentials); unset = no auth'),
  ECALLMGR_XMLCURL_PASSWORD: z.string().min(1).optional().describe('Basic-auth password, required with ECALLMGR_XMLCURL_USER'),
  ECALLMGR_XMLCURL_PASSWORD_FILE: z.string().min(1).optional().describe('File holding the basic-auth password (docker secret); wins over ECALLMGR_XMLCURL_PASSWORD'),
  ECALLMGR_AUTHN_TIMEOUT_MS: ms(2_000).describe('Wait for authn_resp before answering "not found"; keep below the xml_curl timeout (5 s as shipped)'),
  ECALLMGR_ROUTE_TIMEOUT_MS: ms(2_600).describe('Wait for route_resp before answering "not found"; keep below the xml_curl timeout'),
  ECALLMGR_SIP_PROFILE: z.string().regex(/^[A-Za-z0-9_\-]+$/).default('internal').describe('Sofia profile used for sip: routes'),
  ECALLMGR_CONTROL_COMMAND_TIMEOUT_MS: ms(30_000).describe('Longest a queued call-control application may run before the queue moves on'),
} as const;

export type EcallmgrSettings = {
  nodes: FsNodeConfig[];
  leases: boolean;
  defaultPassword: string;
  heartbeatTimeoutMs: number;
  xmlCurl: { host: string; port: number; credentials?: { user: string; password: string } };
  authnTimeoutMs: number;
  routeTimeoutMs: number;
  sipProfile: string;
  controlCommandTimeoutMs: number;
};

type Parsed = Config<typeof ecallmgrConfig>;

/** A secret from a file (docker secrets end in a newline, which is not part of it). */
function secretFile(variable: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    if (value === '') throw new Error('the file is empty');
    return value;
  } catch (err) {
    throw new FifeError('config.invalid', `${variable}: cannot read ${path}: ${(err as Error).message}`, { variables: [variable] });
  }
}

const FACTORY_ESL_PASSWORD = 'ClueCon';
const isLoopback = (host: string): boolean => /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i.test(host);

/**
 * FreeSWITCH ships with the ESL password ClueCon, which anyone can guess. It stays the default so a node on
 * this machine (a lab, `fife up --sim`) works out of the box, but a node elsewhere must have a real one.
 */
function refuseFactoryPasswordOffLoopback(nodes: readonly FsNodeConfig[], defaultPassword: string): void {
  const exposed = nodes.find((n) => (n.password ?? defaultPassword) === FACTORY_ESL_PASSWORD && !isLoopback(n.host));
  if (!exposed) return;
  throw new FifeError(
    'config.invalid',
    `ECALLMGR_FS_PASSWORD: node ${exposed.name ?? exposed.host} is not on loopback and would use FreeSWITCH's factory ESL password; set its own password (ECALLMGR_FS_PASSWORD, ECALLMGR_FS_PASSWORD_FILE or the node's "password")`,
    { variables: ['ECALLMGR_FS_PASSWORD', 'ECALLMGR_FS_NODES'] },
  );
}

/** Cross-field checks the per-variable schemas cannot express; secrets read from their files. */
export function settingsOf(parsed: Parsed): EcallmgrSettings {
  const c = {
    ...parsed,
    ECALLMGR_FS_PASSWORD: secretFile('ECALLMGR_FS_PASSWORD_FILE', parsed.ECALLMGR_FS_PASSWORD_FILE) ?? parsed.ECALLMGR_FS_PASSWORD,
    ECALLMGR_XMLCURL_PASSWORD: secretFile('ECALLMGR_XMLCURL_PASSWORD_FILE', parsed.ECALLMGR_XMLCURL_PASSWORD_FILE) ?? parsed.ECALLMGR_XMLCURL_PASSWORD,
  };
  if (Boolean(c.ECALLMGR_XMLCURL_USER) !== Boolean(c.ECALLMGR_XMLCURL_PASSWORD)) {
    throw new FifeError('config.invalid', 'ECALLMGR_XMLCURL_USER and ECALLMGR_XMLCURL_PASSWORD go together', {
      variables: ['ECALLMGR_XMLCURL_USER', 'ECALLMGR_XMLCURL_PASSWORD'],
    });
  }
  const names = c.ECALLMGR_FS_NODES.map((n) => n.name ?? `${n.host}:${n.port}`);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new FifeError('config.invalid', `ECALLMGR_FS_NODES lists ${dup} twice`, { variables: ['ECALLMGR_FS_NODES'] });
  refuseFactoryPasswordOffLoopback(c.ECALLMGR_FS_NODES, c.ECALLMGR_FS_PASSWORD);
  return {
    nodes: c.ECALLMGR_FS_NODES,
    leases: c.ECALLMGR_NODE_LEASES === 'on',
    defaultPassword: c.ECALLMGR_FS_PASSWORD,
    heartbeatTimeoutMs: c.ECALLMGR_ESL_HEARTBEAT_TIMEOUT_MS,
    xmlCurl: {
      host: c.ECALLMGR_XMLCURL_HOST,
      port: c.ECALLMGR_XMLCURL_PORT,
      ...(c.ECALLMGR_XMLCURL_USER && c.ECALLMGR_XMLCURL_PASSWORD
        ? { credentials: { user: c.ECALLMGR_XMLCURL_USER, password: c.ECALLMGR_XMLCURL_PASSWORD } }
        : {}),
    },
    authnTimeoutMs: c.ECALLMGR_AUTHN_TIMEOUT_MS,
    routeTimeoutMs: c.ECALLMGR_ROUTE_TIMEOUT_MS,
    sipProfile: c.ECALLMGR_SIP_PROFILE,
    controlCommandTimeoutMs: c.ECALLMGR_CONTROL_COMMAND_TIMEOUT_MS,
  };
}
