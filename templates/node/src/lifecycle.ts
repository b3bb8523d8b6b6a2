import { setTimeout as sleep } from 'node:timers/promises';
import { type Config, loadDotenv, readConfig } from './config.ts';
import type { ItemRepository } from './items.ts';

// What src/server.ts does around its framework's server, the same for every framework:
// read the configuration, stop gracefully on a signal, and do start-up database work
// without keeping the service from answering /health.

/** A request still running after this long is abandoned so the process can exit. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;
const INIT_RETRY_MS = 5_000;

/** The pino methods used here: Fastify's `app.log` and a pino logger both have them. */
export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The configuration, or one line that says what to fix (not a stack trace) and exit 1. */
export function readConfigOrExit(): Config {
  try {
    loadDotenv();
    return readConfig();
  } catch (err) {
    console.error(`configuration error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

/**
 * On SIGTERM or SIGINT, runs `stop` once (stop accepting, finish the requests in flight,
 * close the pool) and exits 0; 1 if it fails or outlasts SHUTDOWN_TIMEOUT_MS. The returned
 * signal aborts as the shutdown begins, for background work to give up.
 */
export function stopOnSignals(log: Log, stop: () => Promise<void>): AbortSignal {
  const stopping = new AbortController();
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) return;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    stopping.abort();
    setTimeout(() => {
      log.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'in-flight requests did not finish in time; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    try {
      await stop();
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
    log.info({}, 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
  return stopping.signal;
}

/** Start-up database work (e.g. indexes) retried in the background: the service answers /health meanwhile. */
export async function initInBackground(repository: ItemRepository, log: Log, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      await repository.init();
      return;
    } catch (err) {
      log.warn({ err }, `database start-up work failed; retrying in ${INIT_RETRY_MS / 1000} s`);
      await sleep(INIT_RETRY_MS, undefined, { signal }).catch(() => undefined);
    }
  }
}
