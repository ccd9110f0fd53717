import { setTimeout as sleep } from 'node:timers/promises';
import type { DocumentScope } from 'nano';
import { FifeError } from '@fife/api';

export type CompactOptions = {
  /** Also drop index files of views that no design document defines any more. */
  cleanupViews?: boolean;
  /** Wait until the server reports the compaction finished (CouchDB compacts in the background). */
  wait?: boolean;
  timeoutMs?: number;
};

export type CompactReport = { dbName: string; diskSizeBefore: number | undefined; diskSizeAfter: number | undefined };

function diskSize(info: Record<string, unknown>): number | undefined {
  const sizes = info.sizes as { file?: number } | undefined;
  if (typeof sizes?.file === 'number') return sizes.file;
  return typeof info.disk_size === 'number' ? info.disk_size : undefined;
}

/** Compacts a database (old revisions and deleted bodies go), optionally its stale view indexes too. */
export async function compact(db: DocumentScope<any>, options: CompactOptions = {}): Promise<CompactReport> {
  const dbName = db.config.db;
  const before = (await db.info()) as unknown as Record<string, unknown>;
  await db.compact();
  if (options.cleanupViews) await db.server.relax({ db: dbName, method: 'post', path: '_view_cleanup', body: {} });
  if (options.wait ?? true) {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (((await db.info()) as unknown as { compact_running?: boolean }).compact_running) {
      if (Date.now() > deadline) throw new FifeError('store.compact_timeout', `compaction of ${dbName} still running`, { dbName });
      await sleep(200);
    }
  }
  const after = (await db.info()) as unknown as Record<string, unknown>;
  return { dbName, diskSizeBefore: diskSize(before), diskSizeAfter: diskSize(after) };
}
