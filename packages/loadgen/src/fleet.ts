import { SimNode, type SimPhone } from '@fife/testkit';
import { FetchProbe, Gate } from './probe.js';
import { phoneIdentity } from './provision.js';

export type FleetOptions = {
  runId: string;
  realm: string;
  phones: number;
  nodes: number;
  /** mod_xml_curl URL of each node (index = node). */
  xmlCurlUrls: string[];
  maxInflightPerNode: number;
};

/**
 * The simulated FreeSWITCH side of a run: N nodes on the real clock, phone `i` on node `i mod N` with the
 * credentials of device `i`, every xml_curl fetch timed by one probe. A node can be restarted like a crashed
 * FreeSWITCH: same hostname and ESL port, a fresh Core-UUID, an empty registration table.
 */
export class SimFleet {
  readonly probe = new FetchProbe();
  readonly nodes: SimNode[] = [];
  private readonly phones: SimPhone[] = [];
  private eslPorts: number[] = [];

  constructor(private readonly options: FleetOptions) {}

  async start(): Promise<this> {
    for (let n = 0; n < this.options.nodes; n++) this.nodes.push(await this.startNode(n, 0));
    this.eslPorts = this.nodes.map((node) => node.port);
    return this;
  }

  private async startNode(n: number, eslPort: number): Promise<SimNode> {
    const node = new SimNode({
      hostname: `fs-load-${n + 1}`,
      clock: 'real',
      eslPort,
      xmlCurl: { url: this.options.xmlCurlUrls[n]!, timeoutMs: 5000 },
    });
    for (let i = n; i < this.options.phones; i += this.options.nodes) {
      const id = phoneIdentity(this.options.runId, i);
      this.phones[i] = node.addPhone({ user: id.username, domain: this.options.realm, password: id.password, register: false, behaviour: { kind: 'answer', afterS: 0 } });
    }
    this.probe.attach(node, new Gate(this.options.maxInflightPerNode));
    return node.start();
  }

  get ports(): number[] {
    return this.eslPorts;
  }

  /** Phone `i` (the one with the credentials of device `i`). */
  phone(i: number): SimPhone {
    const phone = this.phones[i];
    if (!phone) throw new Error(`no phone ${i} (the fleet has ${this.options.phones})`);
    return phone;
  }

  /** Stops node `n` without unregistering anything (a crash), then starts it again on the same ESL port. */
  async restart(n: number): Promise<SimNode> {
    await this.nodes[n]!.stop();
    const node = await this.startNode(n, this.eslPorts[n]!);
    this.nodes[n] = node;
    return node;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }
}
