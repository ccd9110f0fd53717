import { loadSimFile } from './load-config.js';
import { startSimCluster, type SimCluster } from './cluster.js';

/**
 * Runs the simulated FreeSWITCH nodes of a config file in real time (what `fife sim` and the
 * testkit's fife-sim bin do): prints each node's ESL address, then one line per event unless quiet.
 */
export async function runSimFromFile(path: string, opts: { quiet?: boolean; out?: NodeJS.WritableStream } = {}): Promise<SimCluster> {
  const out = opts.out ?? process.stdout;
  const file = await loadSimFile(path);
  const cluster = await startSimCluster({ clock: 'real', nodes: file.nodes, ...(file.xmlCurl ? { xmlCurl: file.xmlCurl } : {}) });
  for (const node of cluster.nodes) {
    const phones = [...node.phones.values()].map((p) => `${p.aor}${p.registered ? ' (registered)' : ''}`).join(', ');
    out.write(
      `${node.identity.hostname} ESL ${node.config.eslHost}:${node.port} password ${node.config.eslPassword} core ${node.identity.coreUuid}\n` +
        `  xml_curl ${node.config.xmlCurl?.url ?? file.xmlCurl?.url ?? '(none: static park dialplan, no directory)'}\n  phones ${phones || '(none)'}\n`,
    );
    if (!opts.quiet) {
      node.onEvent((e) => {
        const what = [e.subclass, e.get('Channel-Name'), e.get('Application'), e.get('Hangup-Cause')].filter(Boolean).join(' ');
        out.write(`[${node.identity.hostname}] ${e.name} ${what}\n`);
      });
    }
  }
  return cluster;
}
