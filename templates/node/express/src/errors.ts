import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { DatabaseUnavailableError } from './items.ts';

/** A client error whose message is safe to send; thrown or passed to next() by routes and middleware. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The last middleware for paths no route matched. */
export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'Not found' });
};

/** For a path that exists, under a method it does not serve. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (_req, res) => {
    res.set('Allow', allowed.join(', ')).status(405).json({ error: 'Method not allowed' });
  };
}

// raw-body's errors carry `type`; their own messages would quote its internals.
const BODY_ERRORS: Record<string, string> = {
  'entity.too.large': 'request body is larger than 1 MiB',
  'request.aborted': 'request body was not sent completely',
  'request.size.invalid': 'request body does not match its Content-Length',
};

/**
 * Every error, from any route or middleware, ends here as `{"error": …}`. Client errors
 * say what was wrong with the request; a 500 says nothing more, and its details go to the
 * log only: no stack traces, SQL or driver messages reach the client.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    // A response already on its way cannot change status: let Express close the connection.
    if (res.headersSent) return next(err);
    if (err instanceof DatabaseUnavailableError) {
      // Down, or no pooled connection free in time: worth retrying, so 503 rather than 500.
      log.warn({ err: err.cause, method: req.method, url: req.originalUrl }, 'database unavailable');
      res.status(503).json({ error: 'Database unavailable, try again later' });
      return;
    }
    const status = statusOf(err);
    if (status >= 500) {
      log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
      res.status(500).json({ error: 'Internal server error' });
      return;
    }
    const type = (err as { type?: unknown }).type;
    const message =
      err instanceof URIError
        ? 'request path has an undecodable percent-escape'
        : typeof type === 'string' && BODY_ERRORS[type]
          ? BODY_ERRORS[type]
          : (err as Error).message;
    res.status(status).json({ error: message });
  };
}

/** 4xx only for errors known to be the client's (HttpError, undecodable paths, raw-body's `expose`); else 500. */
function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  // The router's decodeURIComponent of a path parameter (`/items/%E0%A4%A`): the client's mistake.
  if (err instanceof URIError) return 400;
  const e = err as { status?: unknown; expose?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) return e.status;
  return 500;
}
