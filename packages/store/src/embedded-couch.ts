import { mkdirSync } from 'node:fs';
import type { Server, AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { resolve, join } from 'node:path';
import { FifeError } from '@fife/api';
import { longpollChanges, viewCleanup, type PouchServerConstructor } from './embedded-routes.js';

// pouchdb-node, express-pouchdb and express 4 are CommonJS without type declarations we can use;
// these are the few members Fife touches.
type PouchDatabase = { close(): Promise<void> };
type PouchConstructor = PouchServerConstructor & {
  defaults(options: { prefix: string }): PouchConstructor;
  __dbCacheMap?: Map<string, PouchDatabase>;
};
type RequestHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
type ExpressApp = RequestHandler & {
  use(handler: RequestHandler): ExpressApp;
  get(path: string, handler: ReturnType<typeof longpollChanges>): ExpressApp;
  post(path: string, handler: ReturnType<typeof viewCleanup>): ExpressApp;
  disable(setting: string): void;
  listen(port: number, host: string, callback: () => void): Server & { closeAllConnections(): void };
};

const require = createRequire(import.meta.url);

export type EmbeddedCouchOptions = {
  /** Folder holding the LevelDB databases (created if missing). */
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
};

export type EmbeddedCouch = {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
};

export const defaultDataDir = (): string => resolve(process.env.FIFE_COUCH_DIR ?? join('.fife', 'couch'));

/**
 * express-pouchdb parts beyond its "minimumForPouchDB" mode. That mode leaves out the config and logging
 * infrastructure, which would otherwise write config.json and log.txt (into the cwd by default).
 */
const EXTRA_PARTS = ['routes/find'];

function createApp(PouchDB: PouchConstructor, dataDir: string): ExpressApp {
  const express = require('express') as (() => ExpressApp) & { version?: string };
  const expressPouchDB = require('express-pouchdb') as (pouch: PouchConstructor, options: object) => RequestHandler;
  // express-pouchdb is an Express 4 app of its own; mounted inside Express 5 its view routes break.
  const app = express();
  app.disable('x-powered-by');
  app.get('/:db/_changes', longpollChanges(PouchDB));
  app.post('/:db/_view_cleanup', viewCleanup(PouchDB));
  app.use(
    expressPouchDB(PouchDB, {
      mode: 'minimumForPouchDB',
      overrideMode: { include: EXTRA_PARTS },
      // Only read if a config/logging part is ever enabled; kept in the data folder, never the cwd.
      configPath: join(dataDir, 'config.json'),
      logPath: join(dataDir, 'log.txt'),
    }),
  );
  return app;
}

async function closeDatabases(PouchDB: PouchConstructor): Promise<void> {
  // Releases the LevelDB locks so the same folder can be served again by this process.
  const open = [...(PouchDB.__dbCacheMap?.values() ?? [])];
  await Promise.allSettled(open.map((db) => db.close()));
}

/** A CouchDB-compatible HTTP server (PouchDB Server on LevelDB) for one machine and for tests. */
export async function startEmbeddedCouch(options: EmbeddedCouchOptions): Promise<EmbeddedCouch> {
  const dataDir = resolve(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  mkdirSync(dataDir, { recursive: true });
  const BasePouch = require('pouchdb-node') as PouchConstructor;
  const PouchDB = BasePouch.defaults({ prefix: dataDir + '/' });
  const app = createApp(PouchDB, dataDir);

  const server = await new Promise<Server & { closeAllConnections(): void }>((resolveListen, reject) => {
    const listening = app.listen(options.port ?? 0, host, () => resolveListen(listening));
    listening.once('error', (error) =>
      reject(new FifeError('store.embedded_listen_failed', `embedded CouchDB cannot listen on ${host}:${options.port ?? 0}`, { host, port: options.port }, { cause: error })),
    );
  });
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      // Longpoll changes requests would otherwise hold the server open.
      server.closeAllConnections();
      await closed;
      await closeDatabases(PouchDB);
    })());

  return { url: `http://${host}:${port}`, port, dataDir, stop };
}
