import type { ServerScope } from 'nano';
import { assertValidDbName, dbKindOf } from './db-names.js';
import { syncDesignDocs, type DesignSyncReport } from './design-docs.js';
import { statusOf } from './retry.js';

/** Creates the database unless it exists; true when this call created it. */
export async function ensureDatabase(server: ServerScope, dbName: string): Promise<boolean> {
  assertValidDbName(dbName);
  try {
    await server.db.create(dbName);
    return true;
  } catch (error) {
    // 412: it exists already (possibly created a moment ago by another process).
    if (statusOf(error) === 412) return false;
    throw error;
  }
}

export type PreparedDatabase = { dbName: string; created: boolean; designDocs: DesignSyncReport | undefined };

/** Creates the database if needed and brings the design documents of its kind up to date. */
export async function prepareDatabase(server: ServerScope, dbName: string, options: { viewsDir?: string } = {}): Promise<PreparedDatabase> {
  const created = await ensureDatabase(server, dbName);
  const kind = dbKindOf(dbName);
  const designDocs = kind ? await syncDesignDocs(server, kind, dbName, options) : undefined;
  return { dbName, created, designDocs };
}

/** Syncs the design documents of every Fife database on the server (accounts, registrations, account_*). */
export async function syncAllDesignDocs(server: ServerScope, options: { viewsDir?: string } = {}): Promise<DesignSyncReport[]> {
  const reports: DesignSyncReport[] = [];
  for (const dbName of await server.db.list()) {
    const kind = dbKindOf(dbName);
    if (kind) reports.push(await syncDesignDocs(server, kind, dbName, options));
  }
  return reports;
}
