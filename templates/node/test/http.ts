import type { RequestTimeouts } from '../src/http-server.ts';
import type { ItemRepository } from '../src/items.ts';

// How the shared tests drive the app: each framework's test/serve.ts makes a TestApp its
// own way (Fastify's app.inject(), Express on an ephemeral port), and the same tests hold
// both to the contract.

export interface ServeOptions {
  repository: ItemRepository;
  /** How long /health waits for the database before answering 503. */
  healthTimeoutMs?: number;
}

export interface ListenOptions extends ServeOptions {
  timeouts?: RequestTimeouts;
}

/** The app listening on an ephemeral 127.0.0.1 port, for tests that need a real socket. */
export interface Listening {
  port: number;
  close(): Promise<void>;
}

export interface TestApp {
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  /** Closes the app, then its repository. */
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  text: string;
  header(name: string): string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
  json(): any;
}

/** Strings and bytes go as they are (invalid JSON, raw bytes); anything else is JSON-encoded. */
export function encodeBody(body: unknown): string | Uint8Array | undefined {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) return body;
  return JSON.stringify(body);
}
