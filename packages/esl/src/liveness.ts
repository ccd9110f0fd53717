import { z } from 'zod';
import type { FifeError } from '@fife/api';
import { apiCommand } from './commands.js';
import type { EslConnection } from './connection.js';
import { eslError, eslErrorCodes } from './errors.js';

export const livenessOptionsSchema = z.discriminatedUnion('mode', [
  /** Any frame counts as a sign of life; HEARTBEAT (every 20 s by default) guarantees there is one. */
  z.object({ mode: z.literal('heartbeat'), timeoutMs: z.number().positive().default(45_000) }),
  /** `api status` after `intervalMs` of silence; no answer within `timeoutMs` drops the connection. */
  z.object({
    mode: z.literal('probe'),
    intervalMs: z.number().positive().default(15_000),
    timeoutMs: z.number().positive().default(5_000),
  }),
  z.object({ mode: z.literal('off') }),
]);
export type LivenessOptions = z.infer<typeof livenessOptionsSchema>;

/**
 * Watches a connection and destroys it (reason `esl.liveness`) when FreeSWITCH has gone quiet.
 * While a command is waiting for its reply nothing is checked: FreeSWITCH sends nothing during an
 * `api`, and the command's own deadline already bounds that wait. Returns the function that stops it.
 */
export function watchLiveness(connection: EslConnection, options: LivenessOptions, address: string): () => void {
  if (options.mode === 'off') return () => undefined;
  if (options.mode === 'heartbeat') {
    const timer = setInterval(() => {
      const silentFor = Date.now() - connection.lastFrameAt;
      if (silentFor <= options.timeoutMs || connection.pendingCommands > 0) return;
      connection.destroy(eslError(eslErrorCodes.liveness, `ESL ${address} silent for ${silentFor} ms (no HEARTBEAT)`, { silentFor }));
    }, Math.max(10, Math.min(options.timeoutMs / 3, 5_000)));
    return () => clearInterval(timer);
  }
  let probing = false;
  const timer = setInterval(() => {
    if (probing || connection.pendingCommands > 0 || Date.now() - connection.lastFrameAt < options.intervalMs) return;
    probing = true;
    connection.send(apiCommand('status'), options.timeoutMs).then(
      () => (probing = false),
      (error: FifeError) => {
        probing = false;
        if (error.code !== eslErrorCodes.timeout) return;
        connection.destroy(eslError(eslErrorCodes.liveness, `ESL ${address} did not answer the status probe in ${options.timeoutMs} ms`));
      },
    );
  }, options.intervalMs);
  return () => clearInterval(timer);
}
