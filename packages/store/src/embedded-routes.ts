import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

/**
 * Routes of the embedded server that replace broken ones of express-pouchdb 4.2 on pouchdb-node 9.
 *
 * Longpoll `_changes`: express-pouchdb starts a heartbeat interval and a live PouchDB changes listener per longpoll
 * request, and only cancels them if the client disconnects *after* its first (non-live) query finished.
 * A client that goes away earlier (an aborted watcher, a restart) leaks both for good, which also keeps
 * the process from exiting. It ignores `timeout` as well. This handler cancels on every disconnect and
 * honours `timeout` the way CouchDB does (an empty result with the current last_seq).
 */

type ChangesResult = { results: { seq: unknown }[]; last_seq: unknown };
type LiveChanges = {
  on(event: 'change', listener: (change: { seq: unknown }) => void): LiveChanges;
  on(event: 'error', listener: (error: unknown) => void): LiveChanges;
  on(event: 'complete', listener: () => void): LiveChanges;
  cancel(): void;
};
type PouchDb = {
  info(): Promise<{ update_seq: unknown }>;
  viewCleanup(): Promise<unknown>;
  changes(options: Record<string, unknown> & { live: true }): LiveChanges;
  changes(options: Record<string, unknown>): Promise<ChangesResult>;
};
export type PouchServerConstructor = { allDbs(): Promise<string[]> };
type Request = IncomingMessage & { params: { db: string }; query: Record<string, unknown> };

const require = createRequire(import.meta.url);
const cleanFilename = require('express-pouchdb/lib/clean-filename') as (name: string) => string;
const { getOrCreateDB } = require('express-pouchdb/lib/create-or-delete-dbs') as {
  getOrCreateDB(PouchDB: PouchServerConstructor, name: string): Promise<PouchDb>;
};

const DEFAULT_TIMEOUT_MS = 60_000;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function queryValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function changesOptions(query: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = { since: queryValue(query.since) ?? 0 };
  if (query.limit !== undefined) options.limit = Number(query.limit);
  if (queryValue(query.include_docs) === true) options.include_docs = true;
  if (queryValue(query.descending) === true) options.descending = true;
  for (const passed of ['filter', 'view', 'doc_ids', 'style'] as const) {
    if (query[passed] !== undefined) options[passed] = queryValue(query[passed]);
  }
  return options;
}

async function waitForChange(db: PouchDb, req: Request, res: ServerResponse, options: Record<string, unknown>, timeoutMs: number): Promise<void> {
  const since = options.since === 'now' ? (await db.info()).update_seq : options.since;
  if (res.destroyed) return;
  const live = db.changes({ ...options, since, live: true });
  let settled = false;
  const finish = (status: number, body: unknown) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    res.off('close', onClose);
    live.cancel();
    sendJson(res, status, body);
  };
  const onClose = () => finish(499, undefined);
  const timer = setTimeout(() => finish(200, { results: [], last_seq: since }), timeoutMs);
  res.on('close', onClose);
  live.on('change', (change) => finish(200, { results: [change], last_seq: change.seq }));
  live.on('error', (error) => finish(500, { error: 'internal_error', reason: String(error) }));
  // The feed ends on its own when the database is deleted; the client's next request then gets a 404.
  live.on('complete', () => finish(200, { results: [], last_seq: since }));
  if (req.destroyed) onClose();
}

async function existingDb(PouchDB: PouchServerConstructor, dbParam: string, res: ServerResponse): Promise<PouchDb | undefined> {
  const name = cleanFilename(dbParam);
  if ((await PouchDB.allDbs()).includes(name)) return getOrCreateDB(PouchDB, name);
  sendJson(res, 404, { error: 'not_found', reason: 'no_db_file' });
  return undefined;
}

async function longpoll(PouchDB: PouchServerConstructor, req: Request, res: ServerResponse): Promise<void> {
  const db = await existingDb(PouchDB, req.params.db, res);
  if (!db) return;
  const options = changesOptions(req.query);
  const pending = await db.changes(options);
  if (pending.results.length > 0) {
    sendJson(res, 200, pending);
    return;
  }
  const timeout = Number(queryValue(req.query.timeout) ?? DEFAULT_TIMEOUT_MS);
  await waitForChange(db, req, res, options, Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MS);
}

/** Express-style handler for GET /:db/_changes; passes everything but `feed=longpoll` on. */
export function longpollChanges(PouchDB: PouchServerConstructor) {
  return (req: Request, res: ServerResponse, next: (error?: unknown) => void): void => {
    if (req.query.feed !== 'longpoll') return next();
    longpoll(PouchDB, req, res).catch((error: unknown) => {
      sendJson(res, 500, { error: 'internal_error', reason: error instanceof Error ? error.message : String(error) });
    });
  };
}

/**
 * POST /:db/_view_cleanup. express-pouchdb calls `viewCleanup(opts, callback)`, but PouchDB 9 takes only
 * a callback, so the request never gets an answer.
 */
export function viewCleanup(PouchDB: PouchServerConstructor) {
  return (req: Request, res: ServerResponse): void => {
    existingDb(PouchDB, req.params.db, res)
      .then(async (db) => {
        if (!db) return;
        await db.viewCleanup();
        sendJson(res, 202, { ok: true });
      })
      .catch((error: unknown) => sendJson(res, 500, { error: 'internal_error', reason: error instanceof Error ? error.message : String(error) }));
  };
}
