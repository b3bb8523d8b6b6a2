import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { pino } from 'pino';

/** The app under test, listening on an ephemeral 127.0.0.1 port, so requests cross the real HTTP stack. */
export interface TestServer {
  url: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
  json(): any;
}

/** Logs only what a failing test needs; the error middleware's 500s show up here. */
export const testLog = pino({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'silent' });

export async function listen(app: Express): Promise<TestServer> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async request(method, path, body, headers = {}) {
      // Strings and bytes go as they are (invalid JSON, raw bytes); anything else is JSON-encoded.
      const payload =
        body === undefined
          ? undefined
          : typeof body === 'string'
            ? body
            : body instanceof Uint8Array
              ? new Uint8Array(body)
              : JSON.stringify(body);
      const res = await fetch(`${url}${path}`, {
        method,
        headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: payload,
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
