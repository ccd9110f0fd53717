import { FifeError } from '@fife/api';
import { ExtensionSchema, type Extension } from './schema/extension.js';
import { parseOrThrow } from './validate.js';

/** The configured extensions of one account, indexed for routing. Built once, reused per call. */
export interface Topology {
  readonly byNumber: ReadonlyMap<string, Extension>;
  /** TRUNK extensions, for prefix matching of numbers that are not extensions themselves */
  readonly trunks: readonly Extension[];
}

export function buildTopology(extensions: readonly Extension[]): Topology {
  const byNumber = new Map<string, Extension>();
  extensions.forEach((ext, index) => {
    if (byNumber.has(ext.ext)) {
      throw new FifeError('callgroup.invalid', `duplicate extension ${ext.ext}`, { field: `extensions.${index}.ext` });
    }
    byNumber.set(ext.ext, ext);
  });
  return { byNumber, trunks: extensions.filter((e) => e.type === 'TRUNK') };
}

/** Validates raw documents (e.g. from CouchDB) and builds the topology. */
export function parseTopology(documents: readonly unknown[]): Topology {
  return buildTopology(documents.map((doc, i) => parseOrThrow(ExtensionSchema, doc, `extension #${i}`)));
}

/** The unique TRUNK whose number prefixes `number`; none or several → undefined (§1.4.1, §1.7.1). */
export function matchTrunk(topology: Topology, number: string): Extension | undefined {
  let found: Extension | undefined;
  for (const trunk of topology.trunks) {
    if (!number.startsWith(trunk.ext)) continue;
    if (found) return undefined;
    found = trunk;
  }
  return found;
}

/** Exact extension, else a unique prefix trunk (how the called number is resolved). */
export function resolveCalled(topology: Topology, number: string): Extension | undefined {
  return topology.byNumber.get(number) ?? matchTrunk(topology, number);
}
