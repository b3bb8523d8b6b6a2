import { buildApp } from './app.ts';
import { createRepository } from './db/repository.ts';
import { initInBackground, readConfigOrExit, stopOnSignals } from './lifecycle.ts';

const config = readConfigOrExit();
// The repository connects lazily: the service starts, and /health answers 503, while the database is down.
const repository = createRepository(config.databaseUrl);
const app = buildApp({ repository, logger: { level: config.logLevel } });

// app.close() stops accepting connections, waits for in-flight requests, then closes the pool (onClose hook).
const stopping = stopOnSignals(app.log, () => app.close());

try {
  await app.listen({ port: config.port, host: config.host });
} catch (err) {
  app.log.fatal({ err }, 'could not start the server');
  process.exit(1);
}
void initInBackground(repository, app.log, stopping);
