import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerScope } from 'nano';
import { FifeError } from '@fife/api';
import type { DbKind } from './db-names.js';
import { upsert } from './upsert.js';

/** couchdb-views/ at the repository root. */
export const defaultViewsDir = fileURLToPath(new URL('../../../couchdb-views/', import.meta.url));

export type ViewDefinition = { map: string; reduce?: string };
export type DesignDoc = { _id: string; language: 'javascript'; views: Record<string, ViewDefinition> };

export type DesignSyncReport = {
  dbName: string;
  created: string[];
  updated: string[];
  unchanged: string[];
};

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return normaliseSource(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Line endings and trailing blanks must not make an unchanged file look changed. */
function normaliseSource(text: string): string {
  return text.replace(/\r\n/g, '\n').trim();
}

async function loadView(viewDir: string): Promise<ViewDefinition> {
  const map = await readOptional(join(viewDir, 'map.js'));
  if (map === undefined) {
    throw new FifeError('store.design_doc_invalid', `view folder ${viewDir} has no map.js`, { viewDir });
  }
  const reduce = await readOptional(join(viewDir, 'reduce.js'));
  return reduce === undefined ? { map } : { map, reduce };
}

/** Assembles the design documents of one database kind from couchdb-views/<kind>/. */
export async function loadDesignDocs(dbKind: DbKind, viewsDir = defaultViewsDir): Promise<DesignDoc[]> {
  const kindDir = join(viewsDir, dbKind);
  const docs: DesignDoc[] = [];
  for (const design of await subfolders(kindDir)) {
    const viewsRoot = join(kindDir, design, 'views');
    const views: Record<string, ViewDefinition> = {};
    for (const view of await subfolders(viewsRoot)) views[view] = await loadView(join(viewsRoot, view));
    docs.push({ _id: `_design/${design}`, language: 'javascript', views });
  }
  return docs;
}

/** Stable serialisation: key order must not count as a change. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sameContent(current: Record<string, unknown>, wanted: DesignDoc): boolean {
  return canonical({ language: current.language, views: current.views }) === canonical({ language: wanted.language, views: wanted.views });
}

/**
 * Makes the design documents of `dbName` match couchdb-views/<dbKind>/: creates missing ones, rewrites
 * those whose content differs (compared by content, not _rev), leaves the rest alone. Safe to run from
 * several processes at once: a concurrent writer's conflict is re-read and compared again.
 */
export async function syncDesignDocs(
  server: ServerScope,
  dbKind: DbKind,
  dbName: string,
  options: { viewsDir?: string } = {},
): Promise<DesignSyncReport> {
  const report: DesignSyncReport = { dbName, created: [], updated: [], unchanged: [] };
  const db = server.use<Record<string, unknown>>(dbName);
  for (const wanted of await loadDesignDocs(dbKind, options.viewsDir)) {
    let outcome: 'created' | 'updated' | 'unchanged' = 'unchanged';
    await upsert(db, wanted._id, (current) => {
      if (current && sameContent(current, wanted)) {
        outcome = 'unchanged';
        return undefined;
      }
      outcome = current ? 'updated' : 'created';
      return { ...current, language: wanted.language, views: wanted.views };
    });
    report[outcome].push(wanted._id);
  }
  return report;
}
