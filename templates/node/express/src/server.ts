import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
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
const log = pino({ level: config.logLevel });
// The repository connects lazily: the service starts, and /health answers 503, while the database is down.
const repository = createRepository(config.databaseUrl);
const server = createServer(buildApp({ repository, log }));
const stopping = new AbortController();

// Responses in progress, so a shutdown can tell their clients not to reuse the connection.
const inFlight = new Set<ServerResponse>();
server.on('request', (_req, res: ServerResponse) => {
  inFlight.add(res);
  res.on('close', () => inFlight.delete(res));
});

let shuttingDown = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info({ signal }, 'shutting down: finishing in-flight requests');
  stopping.abort();
  setTimeout(() => {
    log.error('in-flight requests did not finish in time; exiting anyway');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  // A busy keep-alive connection would otherwise idle on after its response until keepAliveTimeout.
  for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
  try {
    // close() stops accepting and closes idle keep-alive connections; busy ones close once
    // their response is sent. Then the pool goes.
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    await repository.close();
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    process.exit(1);
  }
  log.info('stopped');
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
      log.warn({ err }, `database start-up work failed; retrying in ${INIT_RETRY_MS / 1000} s`);
      await sleep(INIT_RETRY_MS, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  }
}

server.once('error', (err) => {
  log.fatal({ err }, 'could not start the server');
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  // The bound port, which differs from PORT=0 (an ephemeral port, as the shutdown test uses).
  log.info({ port: (server.address() as AddressInfo).port }, 'listening');
  void initInBackground();
});
