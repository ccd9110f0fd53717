import type { FifeError } from '@fife/api';
import { eslError, eslErrorCodes } from './errors.js';
import { applicationUuid, eventName, type EslEvent } from './event.js';

type Waiter = { resolve: (event: EslEvent) => void; reject: (error: FifeError) => void; timer: NodeJS.Timeout };

/**
 * Waits for the CHANNEL_EXECUTE_COMPLETE whose Application-UUID is the Event-UUID a `sendmsg` execute
 * carried: the only sign that a queued application actually ran.
 */
export class ExecuteCompletions {
  private readonly waiters = new Map<string, Waiter>();

  wait(eventUuid: string, timeoutMs: number, app: string): Promise<EslEvent> {
    return new Promise<EslEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(eventUuid);
        reject(
          eslError(eslErrorCodes.timeout, `"${app}" (Event-UUID ${eventUuid}) did not complete within ${timeoutMs} ms`, {
            eventUuid,
            timeoutMs,
          }),
        );
      }, timeoutMs);
      this.waiters.set(eventUuid, { resolve, reject, timer });
    });
  }

  settle(event: EslEvent): void {
    if (eventName(event) !== 'CHANNEL_EXECUTE_COMPLETE') return;
    const uuid = applicationUuid(event);
    const waiter = uuid === undefined ? undefined : this.waiters.get(uuid);
    if (uuid === undefined || waiter === undefined) return;
    this.waiters.delete(uuid);
    clearTimeout(waiter.timer);
    waiter.resolve(event);
  }

  fail(eventUuid: string, error: FifeError): void {
    const waiter = this.waiters.get(eventUuid);
    if (waiter === undefined) return;
    this.waiters.delete(eventUuid);
    clearTimeout(waiter.timer);
    waiter.reject(error);
  }

  failAll(error: FifeError): void {
    for (const uuid of [...this.waiters.keys()]) this.fail(uuid, error);
  }
}
