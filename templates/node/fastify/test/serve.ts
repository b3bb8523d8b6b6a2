import type { AddressInfo } from 'node:net';
import type { InjectOptions } from 'fastify';
import { buildApp } from '../src/app.ts';
import { encodeBody, type Listening, type ListenOptions, type ServeOptions, type TestApp } from './http.ts';

/** The app driven by app.inject(): Fastify's whole request lifecycle, without opening a port. */
export async function serve(options: ServeOptions): Promise<TestApp> {
  const app = buildApp(options);
  await app.ready();
  return {
    async request(method, path, body, headers = {}) {
      const payload = encodeBody(body);
      const res = await app.inject({
        method: method as InjectOptions['method'],
        url: path,
        payload: payload instanceof Uint8Array ? Buffer.from(payload) : payload,
        headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
      });
      return {
        status: res.statusCode,
        text: res.body,
        header: (name) => res.headers[name.toLowerCase()]?.toString(),
        json: () => JSON.parse(res.body),
      };
    },
    // The onClose hook closes the repository.
    close: () => app.close(),
  };
}

/** The app on an ephemeral 127.0.0.1 port, for tests of what happens before Fastify routes a request. */
export async function listen(options: ListenOptions): Promise<Listening> {
  const app = buildApp(options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
}
