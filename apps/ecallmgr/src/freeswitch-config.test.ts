// FreeSWITCH cannot run here, so the shipped configuration (docker/freeswitch) is checked as text: every XML
// file is well-formed, and the values that must agree with docker-compose.yml and ecallmgr's settings do.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { childrenNamed, parseXml, repoRoot, xmlError, type XmlNode } from '@fife/testkit';
import { ecallmgrConfig } from './config.js';

const dir = join(repoRoot, 'docker', 'freeswitch');
const xmlFiles = (function walk(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(folder, e.name)) : e.name.endsWith('.xml') ? [join(folder, e.name)] : [],
  );
})(dir);

function tree(file: string): XmlNode[] {
  return parseXml(readFileSync(join(dir, file), 'utf8'));
}

/** Every element named `name` under the roots, depth first. */
function all(roots: XmlNode[], name: string): XmlNode[] {
  return roots.flatMap((n) => [...(n.name === name ? [n] : []), ...all(n.children, name)]);
}

/** `<param name=... value=...>` of a file as a map (the last one wins, as FreeSWITCH reads them). */
function params(file: string): Map<string, XmlNode> {
  return new Map(all(tree(file), 'param').map((p) => [p.attrs.name!, p]));
}

/** The global variables vars.xml defines: `set` values, and the command of each `exec-set`. */
function globals(): { set: Map<string, string>; execSet: Map<string, string> } {
  const set = new Map<string, string>();
  const execSet = new Map<string, string>();
  for (const pre of all(tree('vars.xml'), 'X-PRE-PROCESS')) {
    const data = pre.attrs.data ?? '';
    const eq = data.indexOf('=');
    if (pre.attrs.cmd === 'set') set.set(data.slice(0, eq), data.slice(eq + 1));
    if (pre.attrs.cmd === 'exec-set') execSet.set(data.slice(0, eq), data.slice(eq + 1));
  }
  return { set, execSet };
}

/** `$${name}` → name, for values that must come from a global variable. */
function globalName(value: string | undefined): string | undefined {
  return /^\$\$\{([A-Za-z0-9_]+)\}$/.exec(value ?? '')?.[1];
}

const compose = parseYaml(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { environment?: Record<string, string>; secrets?: string[]; volumes?: string[] }>;
};
const ecallmgrEnv = compose.services.ecallmgr?.environment ?? {};
/** ecallmgr's default for a setting, as its schema gives it when the variable is unset. */
const defaultOf = (key: keyof typeof ecallmgrConfig): string => String(ecallmgrConfig[key].parse(undefined));

describe('docker/freeswitch configuration', () => {
  test('every XML file is well-formed', () => {
    assert.ok(xmlFiles.length >= 8, `found ${xmlFiles.length} files`);
    for (const file of xmlFiles) assert.equal(xmlError(readFileSync(file, 'utf8')), undefined, relative(repoRoot, file));
  });

  test('freeswitch.xml includes files that exist; compose mounts the folder as /etc/freeswitch', () => {
    for (const pre of all(tree('freeswitch.xml'), 'X-PRE-PROCESS').filter((p) => p.attrs.cmd === 'include')) {
      const pattern = pre.attrs.data!;
      const folder = join(dir, pattern.includes('/') ? pattern.slice(0, pattern.lastIndexOf('/')) : '.');
      const matching = pattern.endsWith('*.xml') ? readdirSync(folder).filter((f) => f.endsWith('.xml')) : [pattern];
      assert.ok(matching.length > 0 && (pattern.endsWith('*.xml') || existsSync(join(dir, pattern))), `include ${pattern}`);
    }
    assert.ok(compose.services.freeswitch?.volumes?.includes('./docker/freeswitch:/etc/freeswitch:ro'));
  });

  test('event socket: port and password agree with ECALLMGR_FS_NODES and ECALLMGR_FS_PASSWORD_FILE', () => {
    const esl = params('autoload_configs/event_socket.conf.xml');
    const port = esl.get('listen-port')?.attrs.value;
    assert.equal(ecallmgrEnv.ECALLMGR_FS_NODES, `\${ECALLMGR_FS_NODES:-freeswitch:${port}}`, 'ecallmgr dials the ESL port by default');
    const passwordVar = globalName(esl.get('password')?.attrs.value);
    assert.ok(passwordVar, 'the ESL password is a global variable, not a literal');
    const secretFile = ecallmgrEnv.ECALLMGR_FS_PASSWORD_FILE!;
    assert.equal(globals().execSet.get(passwordVar), `cat ${secretFile}`, 'FreeSWITCH reads the same secret file as ecallmgr');
    const secret = secretFile.replace('/run/secrets/', '');
    assert.ok(compose.services.freeswitch?.secrets?.includes(secret) && compose.services.ecallmgr?.secrets?.includes(secret));
    const acl = esl.get('apply-inbound-acl')?.attrs.value;
    const lists = all(tree('autoload_configs/acl.conf.xml'), 'list').map((l) => l.attrs.name);
    assert.ok(acl && lists.includes(acl), `the ACL ${acl} is defined`);
  });

  test('xml_curl: directory|dialplan to ecallmgr’s endpoint with its basic-auth user and secret, timeout above ecallmgr’s', () => {
    const bindings = all(tree('autoload_configs/xml_curl.conf.xml'), 'binding');
    assert.equal(bindings.length, 1);
    const p = new Map(childrenNamed(bindings[0]!, 'param').map((n) => [n.attrs.name!, n.attrs]));
    assert.deepEqual(p.get('gateway-url')?.bindings?.split('|').sort(), ['dialplan', 'directory']);
    const { set, execSet } = globals();
    const url = new URL(set.get(globalName(p.get('gateway-url')?.value)!)!);
    assert.ok(compose.services[url.hostname], `${url.hostname} is a compose service`);
    assert.equal(url.hostname, 'ecallmgr');
    assert.equal(url.port, ecallmgrEnv.ECALLMGR_XMLCURL_PORT);
    assert.equal(url.port, defaultOf('ECALLMGR_XMLCURL_PORT'));
    assert.equal(ecallmgrEnv.ECALLMGR_XMLCURL_HOST, '0.0.0.0', 'reachable from the freeswitch container');
    const [user, password] = p.get('gateway-credentials')!.value!.split(':');
    assert.equal(user, ecallmgrEnv.ECALLMGR_XMLCURL_USER);
    assert.equal(execSet.get(globalName(password)!), `cat ${ecallmgrEnv.ECALLMGR_XMLCURL_PASSWORD_FILE}`);
    assert.equal(p.get('auth-scheme')?.value, 'basic');
    assert.equal(p.get('method')?.value?.toLowerCase(), 'post');
    const timeoutMs = Number(p.get('timeout')?.value) * 1000;
    assert.ok(timeoutMs > Number(defaultOf('ECALLMGR_AUTHN_TIMEOUT_MS')) && timeoutMs > Number(defaultOf('ECALLMGR_ROUTE_TIMEOUT_MS')), 'ecallmgr answers before curl gives up');
  });

  test('sofia profile, static fallback dialplan and heartbeat agree with ecallmgr', () => {
    const profiles = all(tree('autoload_configs/sofia.conf.xml'), 'profile').map((n) => n.attrs.name);
    assert.ok(profiles.includes(defaultOf('ECALLMGR_SIP_PROFILE')), 'ECALLMGR_SIP_PROFILE names a profile');
    const context = params('autoload_configs/sofia.conf.xml').get('context')?.attrs.value;
    const contexts = all(tree('dialplan/fife.xml'), 'context').map((c) => c.attrs.name);
    assert.ok(context && contexts.includes(context), 'the fallback dialplan has the profile’s context');
    const heartbeatS = Number(params('autoload_configs/switch.conf.xml').get('event-heartbeat-interval')?.attrs.value);
    assert.ok(heartbeatS * 1000 * 2 <= Number(defaultOf('ECALLMGR_ESL_HEARTBEAT_TIMEOUT_MS')), 'two HEARTBEATs fit in ecallmgr’s liveness window');
    const modules = all(tree('autoload_configs/modules.conf.xml'), 'load').map((l) => l.attrs.module);
    for (const needed of ['mod_xml_curl', 'mod_event_socket', 'mod_sofia', 'mod_dptools', 'mod_commands', 'mod_loopback', 'mod_dialplan_xml', 'mod_http_cache']) {
      assert.ok(modules.includes(needed), `${needed} is loaded`);
    }
  });
});
