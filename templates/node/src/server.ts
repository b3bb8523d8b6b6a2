import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from './app.ts';
import { type Config, loadDotenv, readConfig } from './config.ts';
import { createRepository } from './db/repository.ts';

// A request still running after this long is abandoned so the process can exit.
const SHUTDOWN_TIMEOUT_MS = 10_000;
const INIT_RETRY_MS = 5_000;

let config: Config;
try {
  loadDotenv();
  config = readConfig();
} catch (err) {
  // A configuration mistake gets one line that says what to fix, not a stack trace.
  console.error(`configuration error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
// The repository connects lazily: the service starts, and /health answers 503, while the database is down.
const repository = createRepository(config.databaseUrl);
const app = buildApp({ repository, logger: { level: config.logLevel } });
const stopping = new AbortController();

let shuttingDown = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  app.log.info({ signal }, 'shutting down: finishing in-flight requests');
  stopping.abort();
  setTimeout(() => {
    app.log.error('in-flight requests did not finish in time; exiting anyway');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  try {
    // Stops accepting connections, waits for in-flight requests, then closes the pool (onClose hook).
    await app.close();
  } catch (err) {
    app.log.error({ err }, 'shutdown failed');
    process.exit(1);
  }
  app.log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));

/** Start-up database work (e.g. indexes) retried in the background: the service answers /health meanwhile. */
async function initInBackground(): Promise<void> {
  while (!stopping.signal.aborted) {
    try {
      await repository.init();
      return;
    } catch (err) {
      app.log.warn({ err }, `database start-up work failed; retrying in ${INIT_RETRY_MS / 1000} s`);
      await sleep(INIT_RETRY_MS, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  }
}

try {
  await app.listen({ port: config.port, host: config.host });
} catch (err) {
  app.log.fatal({ err }, 'could not start the server');
  process.exit(1);
}
void initInBackground();
