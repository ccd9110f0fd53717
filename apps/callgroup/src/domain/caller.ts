import type { Extension } from './schema/extension.js';
import type { CallerId } from './schema/plan.js';
import type { Topology } from './topology.js';

/**
 * Presentation of the caller on every leg (§1.3, ywsd calculate_source_parameters):
 * masquerading replaces the number, and the name only together with a number; the called
 * extension's short name prefixes the name. Unknown callers carry nothing but their number.
 */
export function callerIdFor(topology: Topology, callerNumber: string, called: Extension | undefined): CallerId {
  const caller = topology.byNumber.get(callerNumber);
  const base: CallerId = caller
    ? {
        number: caller.outgoing_extension || callerNumber,
        name: caller.outgoing_extension && caller.outgoing_name ? caller.outgoing_name : caller.name,
        lang: caller.lang,
        dialout_allowed: caller.dialout_allowed,
      }
    : { number: callerNumber, name: null, lang: null, dialout_allowed: false };
  const short = called?.short_name;
  if (short) base.name = base.name ? `[${short}] ${base.name}` : `[${short}]`;
  return base;
}
