import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { createRepository } from './db/repository.ts';
import { createHttpServer } from './http-server.ts';
import { initInBackground, readConfigOrExit, stopOnSignals } from './lifecycle.ts';

const config = readConfigOrExit();
const log = pino({ level: config.logLevel });
// The repository connects lazily: the service starts, and /health answers 503, while the database is down.
const repository = createRepository(config.databaseUrl);
// Node's server with bounded request reads and JSON answers to what never reaches Express.
const server = createHttpServer(buildApp({ repository, log }));

// Responses in progress, so a shutdown can tell their clients not to reuse the connection.
const inFlight = new Set<ServerResponse>();
server.on('request', (_req, res: ServerResponse) => {
  inFlight.add(res);
  res.on('close', () => inFlight.delete(res));
});

const stopping = stopOnSignals(log, async () => {
  // A busy keep-alive connection would otherwise idle on after its response until keepAliveTimeout.
  for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
  // close() stops accepting and closes idle keep-alive connections; busy ones close once
  // their response is sent. Then the pool goes.
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  await repository.close();
});

server.once('error', (err) => {
  log.fatal({ err }, 'could not start the server');
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  // The bound port, which differs from PORT=0 (an ephemeral port, as the shutdown test uses).
  log.info({ port: (server.address() as AddressInfo).port }, 'listening');
  void initInBackground(repository, log, stopping);
});
