/**
 * Runs simulated FreeSWITCH nodes in real time from a config file:
 *   node --import tsx packages/testkit/src/bin/fife-sim.ts --config sim.yaml [--quiet]
 * Prints each node's ESL address, then one line per event (unless --quiet). Ctrl-C stops everything.
 */
import { parseArgs } from 'node:util';
import { loadSimFile } from '../sim/load-config.js';
import { startSimCluster } from '../sim/cluster.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, quiet: { type: 'boolean', short: 'q' } } });
  if (!values.config) {
    process.stderr.write('usage: fife-sim --config <sim.yaml|sim.json> [--quiet]\n');
    process.exit(2);
  }
  const file = await loadSimFile(values.config);
  const cluster = await startSimCluster({ clock: 'real', nodes: file.nodes, ...(file.xmlCurl ? { xmlCurl: file.xmlCurl } : {}) });
  for (const node of cluster.nodes) {
    const phones = [...node.phones.values()].map((p) => `${p.aor}${p.registered ? ' (registered)' : ''}`).join(', ');
    process.stdout.write(
      `${node.identity.hostname} ESL ${node.config.eslHost}:${node.port} password ${node.config.eslPassword} core ${node.identity.coreUuid}\n` +
        `  xml_curl ${node.config.xmlCurl?.url ?? file.xmlCurl?.url ?? '(none: static park dialplan, no directory)'}\n  phones ${phones || '(none)'}\n`,
    );
    if (!values.quiet) {
      node.onEvent((e) => {
        const what = [e.subclass, e.get('Channel-Name'), e.get('Application'), e.get('Hangup-Cause')].filter(Boolean).join(' ');
        process.stdout.write(`[${node.identity.hostname}] ${e.name} ${what}\n`);
      });
    }
  }
  const stop = async (): Promise<void> => {
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`fife-sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
