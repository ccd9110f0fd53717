import { type Clock, RealClock, VirtualClock } from './clock.js';
import type { XmlCurlBinding } from './xml-curl.js';
import { type SimNodeOptions, SimNode } from './node.js';

export interface SimClusterOptions {
  nodes: Array<Omit<SimNodeOptions, 'clock'>>;
  /** One clock for every node, so `advance` moves the whole cluster. Default: a new VirtualClock. */
  clock?: Clock | 'virtual' | 'real';
  /** Default mod_xml_curl binding for nodes that have none. */
  xmlCurl?: XmlCurlBinding;
}

export interface SimCluster {
  clock: Clock;
  nodes: SimNode[];
  node(hostname: string): SimNode;
  stop(): Promise<void>;
}

/** Several nodes, each with its own hostname, ESL port and Core-UUID, sharing one clock. */
export async function startSimCluster(options: SimClusterOptions): Promise<SimCluster> {
  const clock: Clock =
    options.clock === 'real' ? new RealClock() : options.clock === undefined || options.clock === 'virtual' ? new VirtualClock() : options.clock;
  const nodes: SimNode[] = [];
  try {
    for (const [index, nodeOptions] of options.nodes.entries()) {
      const xmlCurl = nodeOptions.xmlCurl ?? options.xmlCurl;
      const node = new SimNode({
        hostname: `fs-sim-${index + 1}`,
        ...nodeOptions,
        ...(xmlCurl ? { xmlCurl } : {}),
        clock,
      });
      nodes.push(await node.start());
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
  return {
    clock,
    nodes,
    node(hostname: string): SimNode {
      const found = nodes.find((n) => n.identity.hostname === hostname);
      if (!found) throw new Error(`no simulated node ${hostname}`);
      return found;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      if (clock instanceof RealClock) clock.clearAll();
    },
  };
}
