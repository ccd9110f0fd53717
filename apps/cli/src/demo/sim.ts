import { startSimNode, type RegisterOutcome, type SimNode } from '@fife/testkit';
import { DEMO_REALM, PHONES } from './people.js';

/**
 * The simulated FreeSWITCH of the demo, on the real clock: an ESL listener for ecallmgr and one SIP
 * phone per demo phone. Phones register later (`registerPhones`), once ecallmgr answers mod_xml_curl.
 */
export function startDemoSim(xmlCurlUrl: string): Promise<SimNode> {
  return startSimNode({
    hostname: 'fs-sim-demo',
    clock: 'real',
    eslPort: 0,
    xmlCurl: { url: xmlCurlUrl, timeoutMs: 5000 },
    endpoints: Object.values(PHONES).map((p) => ({
      user: p.ext,
      domain: DEMO_REALM,
      password: p.password,
      behaviour: p.behaviour,
      callerIdName: p.name,
      register: false,
    })),
  });
}

/** REGISTER every phone (digest checked against the directory ecallmgr serves); what each got. */
export async function registerPhones(node: SimNode): Promise<Array<{ ext: string; outcome: RegisterOutcome }>> {
  return Promise.all(
    Object.values(PHONES).map(async (p) => ({ ext: p.ext, outcome: await node.phone(p.ext, DEMO_REALM).register() })),
  );
}

/** Phones refresh their registration like real ones (at half the expiry); returns how to stop that. */
export function keepRegistered(node: SimNode): () => void {
  const everyMs = (Math.min(...[...node.phones.values()].map((p) => p.config.expiresS)) * 1000) / 2;
  const timer = setInterval(() => void registerPhones(node).catch(() => undefined), everyMs);
  return () => clearInterval(timer);
}
