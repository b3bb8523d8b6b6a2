import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { buildApp } from '../src/app.ts';
import { createHttpServer } from '../src/http-server.ts';
import { encodeBody, type Listening, type ListenOptions, type ServeOptions, type TestApp } from './http.ts';

/** Logs only what a failing test needs; the error middleware's 500s show up here. */
export const testLog = pino({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'silent' });

/** The app on an ephemeral 127.0.0.1 port, in the same server src/server.ts runs. */
export async function listen(options: ListenOptions): Promise<Listening> {
  const server = createHttpServer(buildApp({ ...options, log: testLog }), options.timeouts);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await options.repository.close();
    },
  };
}

/** The app for the shared tests: requests cross the real HTTP stack with fetch(). */
export async function serve(options: ServeOptions): Promise<TestApp & { url: string }> {
  const { port, close } = await listen(options);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async request(method, path, body, headers = {}) {
      const payload = encodeBody(body);
      const res = await fetch(`${url}${path}`, {
        method,
        headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: payload instanceof Uint8Array ? new Uint8Array(payload) : payload,
      });
      const text = await res.text();
      return {
        status: res.status,
        text,
        header: (name) => res.headers.get(name) ?? undefined,
        json: () => JSON.parse(text),
      };
    },
    close,
  };
}
