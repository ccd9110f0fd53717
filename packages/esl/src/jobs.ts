import { z } from 'zod';
import type { FifeError } from '@fife/api';
import { eslError, eslErrorCodes } from './errors.js';
import { eslEventSchema, eventName, jobUuid, type EslEvent } from './event.js';

/** The outcome of a `bgapi`: the BACKGROUND_JOB event whose Job-UUID matches, and its body (the command output). */
export const backgroundJobResultSchema = z.object({
  jobUuid: z.string(),
  /** False when the output starts with `-ERR` (for originate: `-ERR SUBSCRIBER_ABSENT`, ...). */
  ok: z.boolean(),
  body: z.string(),
  event: eslEventSchema,
});
export type BackgroundJobResult = z.infer<typeof backgroundJobResultSchema>;

type Job = { resolve: (result: BackgroundJobResult) => void; reject: (error: FifeError) => void; timer: NodeJS.Timeout };

/** How many unclaimed BACKGROUND_JOB events are remembered for a job whose uuid is learnt late. */
const UNCLAIMED_LIMIT = 64;

/** Correlates BACKGROUND_JOB events with the `bgapi` calls that started them. Survives reconnects. */
export class JobTracker {
  private readonly jobs = new Map<string, Job>();
  private readonly unclaimed = new Map<string, EslEvent>();

  get size(): number {
    return this.jobs.size;
  }

  /** Register before the command is written: the event may race the command/reply. */
  register(uuid: string, timeoutMs: number, label: string): Promise<BackgroundJobResult> {
    return new Promise<BackgroundJobResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.jobs.delete(uuid);
        reject(
          eslError(eslErrorCodes.jobTimeout, `bgapi "${label}" (Job-UUID ${uuid}) did not finish within ${timeoutMs} ms`, {
            jobUuid: uuid,
            timeoutMs,
          }),
        );
      }, timeoutMs);
      this.jobs.set(uuid, { resolve, reject, timer });
    });
  }

  /** Returns true when the event finished a job of ours. */
  settle(event: EslEvent): boolean {
    if (eventName(event) !== 'BACKGROUND_JOB') return false;
    const uuid = jobUuid(event);
    if (uuid === undefined) return false;
    const job = this.jobs.get(uuid);
    if (job === undefined) {
      this.remember(uuid, event);
      return false;
    }
    this.finish(uuid, job, event);
    return true;
  }

  /**
   * The job is known under `placeholder` until FreeSWITCH names it (a bgapi sent without a Job-UUID
   * header learns it from `+OK Job-UUID: <uuid>`).
   */
  rekey(placeholder: string, uuid: string): void {
    const job = this.jobs.get(placeholder);
    if (job === undefined || placeholder === uuid) return;
    this.jobs.delete(placeholder);
    const early = this.unclaimed.get(uuid);
    if (early !== undefined) {
      this.unclaimed.delete(uuid);
      this.finish(uuid, job, early);
      return;
    }
    this.jobs.set(uuid, job);
  }

  private remember(uuid: string, event: EslEvent): void {
    this.unclaimed.set(uuid, event);
    if (this.unclaimed.size > UNCLAIMED_LIMIT) this.unclaimed.delete(this.unclaimed.keys().next().value!);
  }

  private finish(uuid: string, job: Job, event: EslEvent): void {
    this.jobs.delete(uuid);
    clearTimeout(job.timer);
    const body = event.body ?? '';
    job.resolve({ jobUuid: uuid, ok: !body.startsWith('-ERR'), body, event });
  }

  fail(uuid: string, error: FifeError): void {
    const job = this.jobs.get(uuid);
    if (job === undefined) return;
    this.jobs.delete(uuid);
    clearTimeout(job.timer);
    job.reject(error);
  }

  failAll(error: FifeError): void {
    for (const uuid of [...this.jobs.keys()]) this.fail(uuid, error);
  }
}
