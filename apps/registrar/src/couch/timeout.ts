import { FifeError } from '@fife/api';

/** A CouchDB read that does not answer in time counts as "CouchDB unavailable" (the cache then answers). */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FifeError('registrar.store_timeout', `${what}: no answer from CouchDB within ${ms} ms`, { ms })), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function storeUnavailable(what: string, cause: unknown): FifeError {
  const reason = (cause as Error)?.message ?? String(cause);
  return new FifeError('registrar.store_unavailable', `${what}: CouchDB unavailable (${reason})`, { reason }, { cause });
}
