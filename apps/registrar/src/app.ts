import { hostname } from 'node:os';
import { join } from 'node:path';
import { openStore, REGISTRATIONS_DB, type Store } from '@fife/store';
import { registrarKinds, serveProvisioning } from '@fife/provisioning';
import type { WhappContext, WhappDefinition } from '@fife/whapp';
import { registrarConfig } from './config.js';
import { authnBindings, regFlushBindings, regQueryBindings, regSuccessBindings } from './bindings.js';
import { CredentialDirectory } from './couch/credential-directory.js';
import { RegistrationSync } from './couch/registration-sync.js';
import { RegistrationWriter } from './couch/registration-writer.js';
import { ExpirySweeper } from './couch/expiry-sweeper.js';
import { Authenticator } from './services/authenticator.js';
import { RegistrationIndex } from './services/registration-index.js';
import { RegistrationService } from './services/registrations.js';
import { identifyFrom } from './services/identity.js';
import { authnReqHandler } from './handlers/authn-req.js';
import { regSuccessHandler } from './handlers/reg-success.js';
import { regQueryHandler } from './handlers/reg-query.js';
import { regFlushHandler } from './handlers/reg-flush.js';

export const REGISTRAR_VERSION = '0.1.0';

type Ctx = WhappContext<typeof registrarConfig>;

/** The parts of a running registrar, for tests, benchmarks and the CLI. */
export interface RegistrarRuntime {
  store: Store;
  directory: CredentialDirectory;
  index: RegistrationIndex;
  writer: RegistrationWriter;
  sweeper: ExpirySweeper;
  registrations: RegistrationService;
  queues: { authn: string; regSuccess: string; regQuery: string };
}

async function openRegistrarStore(ctx: Ctx): Promise<Store> {
  return openStore({ couchUrl: ctx.config.COUCH_URL, dataDir: join(ctx.config.FIFE_DATA_DIR, 'couch') });
}

/** Wires the registrar: caches primed first, then the consumers, so the first request is served from memory. */
export async function setupRegistrar(ctx: Ctx): Promise<RegistrarRuntime> {
  const { config, log } = ctx;
  const store = await openRegistrarStore(ctx);
  ctx.onStop(() => store.close());

  const directory = new CredentialDirectory(store, log, { readTimeoutMs: config.REGISTRAR_STORE_TIMEOUT_MS });
  await directory.start();
  const primed = await directory.prime();
  ctx.onStop(() => directory.close());

  const index = new RegistrationIndex();
  const sync = new RegistrationSync(store, index, log);
  const loaded = await sync.start();
  ctx.onStop(() => sync.stop());

  const registrationsDb = store.db(REGISTRATIONS_DB);
  const writer = new RegistrationWriter(registrationsDb, index, log, {
    batchSize: config.REGISTRAR_WRITE_BATCH,
    flushMs: config.REGISTRAR_WRITE_FLUSH_MS,
    retryMinMs: 100,
    retryMaxMs: 2000,
  });
  ctx.onStop(() => writer.drain(config.DRAIN_TIMEOUT_MS));

  const nowMs = () => Date.now();
  const sweeper = new ExpirySweeper(registrationsDb, index, log, {
    intervalMs: config.REGISTRAR_SWEEP_INTERVAL_MS,
    batchSize: 500,
    compactIntervalMs: config.REGISTRAR_COMPACT_INTERVAL_MS,
    nowUnix: () => Math.floor(nowMs() / 1000),
  });
  sweeper.start();
  ctx.onStop(() => sweeper.stop());

  const authenticator = new Authenticator(
    directory,
    {
      clearPasswordApps: config.REGISTRAR_CLEAR_PASSWORD_APPS,
      clearPasswordRealms: config.REGISTRAR_CLEAR_PASSWORD_REALMS,
      unknownRealm: config.REGISTRAR_UNKNOWN_REALM,
    },
    log,
  );
  const registrations = new RegistrationService(
    index,
    writer,
    {
      expiry: { deviationSeconds: config.REGISTRAR_EXPIRES_DEVIATION_S },
      identify: identifyFrom(directory),
      maxContactsPerDevice: config.REGISTRAR_MAX_CONTACTS,
      hostname: hostname(),
      startedAtMs: nowMs(),
      nowMs,
    },
    log,
  );

  ctx.addReadiness('couch', () => directory.live && sync.live);
  const prefix = config.REGISTRAR_QUEUE_PREFIX;
  const queues = { authn: `${prefix}.authn`, regSuccess: `${prefix}.reg_success`, regQuery: `${prefix}.reg_query` };
  // Requests nobody took in time are dropped by the broker: after an outage, stale REGISTERs are not replayed.
  const requestQueueArgs = { 'x-message-ttl': config.REGISTRAR_REQUEST_TTL_MS };
  await ctx.bus.consume({
    queue: queues.authn,
    prefetch: config.REGISTRAR_AUTHN_PREFETCH,
    bindings: authnBindings(config.REGISTRAR_REALMS, config.REGISTRAR_BIND_AUTHN_ENDPOINT),
    queueArguments: requestQueueArgs,
    handlers: [authnReqHandler(authenticator)],
  });
  await ctx.bus.consume({
    queue: queues.regSuccess,
    prefetch: config.REGISTRAR_REG_PREFETCH,
    bindings: regSuccessBindings(config.REGISTRAR_REALMS),
    handlers: [regSuccessHandler(registrations)],
  });
  await ctx.bus.consume({
    queue: queues.regQuery,
    prefetch: config.REGISTRAR_AUTHN_PREFETCH,
    bindings: regQueryBindings(config.REGISTRAR_REALMS),
    queueArguments: requestQueueArgs,
    handlers: [regQueryHandler(registrations)],
  });
  // Every process must drop its own caches: a queue of its own, not a shared one.
  await ctx.bus.consume({
    queue: `${ctx.bus.serverId}.reg_flush`,
    exclusive: true,
    bindings: regFlushBindings(config.REGISTRAR_REALMS),
    handlers: [regFlushHandler(directory, registrations)],
  });
  // Accounts, devices and users (what authentication reads) are provisioned through their owner, here.
  await serveProvisioning(ctx.bus, store, { queue: `${prefix}.provisioning`, kinds: registrarKinds });
  log.info({ ...primed, registrations: loaded, queues }, 'registrar: caches primed, consuming');
  return { store, directory, index, writer, sweeper, registrations, queues };
}

/** The registrar whapp; `onReady` hands the wired parts to a test or benchmark. */
export function registrarWhapp(hooks: { onReady?: (runtime: RegistrarRuntime) => void } = {}): WhappDefinition<typeof registrarConfig> {
  return {
    name: 'registrar',
    version: REGISTRAR_VERSION,
    config: registrarConfig,
    async setup(ctx) {
      const runtime = await setupRegistrar(ctx);
      hooks.onReady?.(runtime);
    },
  };
}
