import { createServer, type RequestListener, type Server, type ServerOptions, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

// What Node's HTTP server does with a client before any framework sees a request: how long
// it may take to send it, and the answer to one Node cannot parse or route. Every answer is
// the contract's JSON `{"error": …}`, written to the socket, which is then closed.

/** How long a client may take to send a request head, and a whole request. */
export interface RequestTimeouts {
  headersMs: number;
  requestMs: number;
}

/**
 * A stalled head or body is answered 408 and closed instead of holding a connection open
 * (Node's defaults are 60 s and 300 s; Fastify turns the second off). 30 s carries a 1 MiB
 * body over a slow mobile link.
 */
export const DEFAULT_TIMEOUTS: RequestTimeouts = { headersMs: 10_000, requestMs: 30_000 };

/** The http.createServer options that enforce `timeouts` (Fastify takes them as its `http` option). */
export function serverOptions(timeouts: RequestTimeouts = DEFAULT_TIMEOUTS): ServerOptions {
  return {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    // Node checks both only this often (30 s by default, which would double the bounds).
    connectionsCheckingInterval: Math.min(1000, timeouts.headersMs),
  };
}

/** A Node HTTP server for `app` (Express) with the timeouts and the answers below. */
export function createHttpServer(app: RequestListener, timeouts: RequestTimeouts = DEFAULT_TIMEOUTS): Server {
  const server = createServer(serverOptions(timeouts), app);
  server.on('clientError', answerClientError);
  refuseConnect(server);
  return server;
}

/**
 * For Node's 'clientError': a request it could not parse (an unknown method, a bad
 * Content-Length or chunk size, an oversized head) or that timed out. Without a handler
 * Node answers an empty 400 or 408.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // Reset by the client, or a response already under way: nothing can be said any more.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.end(rawResponse(408, 'request not received in time'));
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    socket.end(rawResponse(431, 'request head is too large'));
  } else {
    socket.end(rawResponse(400, 'malformed HTTP request'));
  }
}

/**
 * CONNECT asks for a tunnel, which Node hands to a 'connect' listener instead of the app,
 * and closes the connection silently when there is none. This is not a proxy: 405.
 */
export function refuseConnect(server: Server): void {
  server.on('connect', (_req, socket: Duplex) => {
    socket.end(rawResponse(405, 'Method not allowed'));
  });
}

function rawResponse(status: number, error: string): string {
  const body = JSON.stringify({ error });
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
