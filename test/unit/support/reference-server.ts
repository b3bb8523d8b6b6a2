/**
 * An in-memory implementation of CONTRACT.md, for testing contract.ts itself: with no
 * faults it must pass every check; each fault is a realistic bug that some check must
 * catch.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | 'found-for-missing-id' // 200 instead of 404 for an id that does not exist
  | 'oldest-first'
  | 'accepts-201-char-name'
  | 'plain-text-404'
  | 'ignores-limit'
  | 'default-limit-10'
  | 'ignores-offset'
  | 'lenient-paging' // parseInt: 1.5 → 1, abc → default
  | 'parseint-ids' // /items/1.5 finds item 1
  | 'counts-bytes' // name length in UTF-8 bytes (PHP strlen)
  | 'no-body-limit'
  | 'express-default-limit' // 100 kB, as express.json() without options
  | 'reset-on-large-body' // drops the connection instead of answering 413
  | 'stack-in-errors'
  | 'error-key-message' // {"message": …} instead of {"error": …}
  | 'put-keeps-description'
  | 'put-keeps-updated-at'
  | 'delete-200-json'
  | 'seconds-timestamps'
  | 'local-time-as-utc'
  | 'extra-mongo-id-field'
  | 'coerces-numeric-name'
  | 'accepts-arrays'
  | 'health-wrong-body'
  | 'html-405'
  | 'accepts-empty-body'
  | 'takes-created-at-from-body'
  | 'live-touches-database' // /health/live answers 503 when the database is down
  | 'openapi-without-item-id'; // the document forgets /items/{id}

export interface ReferenceOptions {
  faults?: Fault[];
  idKind?: 'integer' | 'objectid';
  /** Simulates an unreachable database: health 503, item routes 500. */
  databaseDown?: boolean;
  /** With databaseDown: leak the driver error into the 500 body. */
  leakDriverError?: boolean;
}

interface Stored {
  id: number | string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

const LIMIT = 1024 * 1024;

export async function startReferenceServer(options: ReferenceOptions = {}): Promise<{ url: string; close(): Promise<void> }> {
  const faults = new Set(options.faults ?? []);
  const items = new Map<string, Stored>();
  let nextId = 1;
  let lastMs = 0;

  const nowIso = (): string => {
    const now = new Date();
    if (faults.has('seconds-timestamps')) return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (faults.has('local-time-as-utc')) return new Date(now.getTime() + 2 * 3600_000).toISOString();
    lastMs = Math.max(lastMs, now.getTime());
    return new Date(lastMs).toISOString();
  };
  const newId = (): number | string => {
    const n = nextId++;
    return options.idKind === 'objectid' ? n.toString(16).padStart(24, '0') : n;
  };
  const lookupKey = (raw: string): string | undefined => {
    if (options.idKind === 'objectid') return /^[0-9a-f]{24}$/.test(raw) ? raw : undefined;
    if (faults.has('parseint-ids')) {
      const n = Number.parseInt(raw, 10);
      return Number.isNaN(n) ? undefined : String(n);
    }
    return /^[1-9]\d{0,15}$/.test(raw) ? raw : undefined;
  };

  const send = (res: ServerResponse, status: number, body?: unknown): void => {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
  };
  const error = (res: ServerResponse, status: number, message: string): void => {
    if (faults.has('stack-in-errors')) message += `\n    at handle (/srv/app/src/routes.js:42:13)`;
    send(res, status, faults.has('error-key-message') ? { message } : { error: message });
  };

  const readBody = (req: IncomingMessage): Promise<string | 'too-large' | 'reset'> =>
    new Promise((resolve, reject) => {
      const limit = faults.has('no-body-limit') ? Infinity : faults.has('express-default-limit') ? 100 * 1024 : LIMIT;
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > limit) {
        if (faults.has('reset-on-large-body')) {
          req.socket.destroy();
          resolve('reset');
          return;
        }
        // Like most frameworks: refuse on the declared length; Node drains the rest.
        resolve('too-large');
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
      });
      req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  /** Validates a POST/PUT body; returns the fields or an error message. */
  const validate = (text: string): { name: string; description: string | null; createdAt?: string } | string => {
    let body: unknown;
    if (text === '' && faults.has('accepts-empty-body')) return { name: 'empty', description: null };
    try {
      body = JSON.parse(text);
    } catch {
      return 'body must be valid JSON';
    }
    if (Array.isArray(body) && faults.has('accepts-arrays')) body = body[0];
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
    const { name, description, createdAt } = body as Record<string, unknown>;
    let finalName = name;
    if (typeof name === 'number' && faults.has('coerces-numeric-name')) finalName = String(name);
    if (typeof finalName !== 'string') return 'name must be a string';
    const length = faults.has('counts-bytes') ? Buffer.byteLength(finalName) : [...finalName].length;
    const max = faults.has('accepts-201-char-name') ? 201 : 200;
    if (length < 1 || length > max) return 'name must be 1 to 200 characters';
    if (description !== undefined && description !== null && typeof description !== 'string') return 'description must be a string or null';
    return {
      name: finalName,
      description: (description as string | null | undefined) ?? null,
      ...(faults.has('takes-created-at-from-body') && typeof createdAt === 'string' ? { createdAt } : {}),
    };
  };

  const present = (item: Stored): Record<string, unknown> =>
    faults.has('extra-mongo-id-field') ? { _id: String(item.id), ...item } : { ...item };

  const pagingValue = (raw: string | null, fallback: number, min: number, max: number): number | undefined => {
    if (raw === null) return fallback;
    if (faults.has('lenient-paging')) {
      const n = Number.parseInt(raw, 10);
      return Number.isNaN(n) ? fallback : Math.min(Math.max(n, min), max);
    }
    if (!/^\d+$/.test(raw)) return undefined;
    const n = Number(raw);
    return n >= min && n <= max ? n : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path === '/health/live' && method === 'GET') {
      if (options.databaseDown && faults.has('live-touches-database')) return send(res, 503, { status: 'error' });
      return send(res, 200, { status: 'ok' });
    }
    if (path === '/openapi.json' && method === 'GET') {
      const paths: Record<string, unknown> = {
        '/health': { get: {} },
        '/health/live': { get: {} },
        '/items': { get: {}, post: {} },
        '/items/{id}': { get: {}, put: {}, delete: {} },
      };
      if (faults.has('openapi-without-item-id')) delete paths['/items/{id}'];
      return send(res, 200, { openapi: '3.1.0', info: { title: 'reference', version: '1' }, paths });
    }
    if (path === '/health' && method === 'GET') {
      if (options.databaseDown) return send(res, 503, { status: 'error', database: 'down' });
      return send(res, 200, faults.has('health-wrong-body') ? { status: 'ok' } : { status: 'ok', database: 'up' });
    }
    const itemMatch = /^\/items\/([^/]+)$/.exec(path);
    if (path !== '/items' && itemMatch === null) {
      if (faults.has('plain-text-404')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      return error(res, 404, 'not found');
    }
    if (options.databaseDown) {
      const leak = options.leakDriverError ? ': connect ECONNREFUSED 127.0.0.1:5999' : '';
      return error(res, 500, `internal error${leak}`);
    }

    if (path === '/items') {
      if (method === 'GET') {
        const limit = faults.has('ignores-limit') ? 1000 : pagingValue(url.searchParams.get('limit'), faults.has('default-limit-10') ? 10 : 20, 1, 100);
        const offset = faults.has('ignores-offset') ? 0 : pagingValue(url.searchParams.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER);
        if (limit === undefined || offset === undefined) return error(res, 400, 'limit must be 1-100 and offset ≥ 0');
        const sorted = [...items.values()].sort((a, b) =>
          a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : String(a.id).padStart(24, '0') < String(b.id).padStart(24, '0') ? 1 : -1,
        );
        if (faults.has('oldest-first')) sorted.reverse();
        return send(res, 200, sorted.slice(offset, offset + limit).map(present));
      }
      if (method === 'POST') {
        const body = await readBody(req);
        if (body === 'reset') return;
        if (body === 'too-large') return error(res, 413, 'body too large');
        const fields = validate(body);
        if (typeof fields === 'string') return error(res, 400, fields);
        const now = nowIso();
        const item: Stored = { id: newId(), name: fields.name, description: fields.description, createdAt: fields.createdAt ?? now, updatedAt: now };
        items.set(String(item.id), item);
        return send(res, 201, present(item));
      }
      if (faults.has('html-405')) {
        res.writeHead(405, { 'content-type': 'text/html' }).end('<h1>Method Not Allowed</h1>');
        return;
      }
      return error(res, 405, 'method not allowed');
    }

    const key = lookupKey(decodeURIComponent(itemMatch?.[1] ?? ''));
    const existing = key === undefined ? undefined : items.get(key);
    if (method === 'GET') {
      if (existing === undefined) {
        if (faults.has('found-for-missing-id')) return send(res, 200, {});
        return error(res, 404, 'item not found');
      }
      return send(res, 200, present(existing));
    }
    if (method === 'PUT') {
      const body = await readBody(req);
      if (body === 'reset') return;
      if (body === 'too-large') return error(res, 413, 'body too large');
      if (existing === undefined) return error(res, 404, 'item not found');
      const fields = validate(body);
      if (typeof fields === 'string') return error(res, 400, fields);
      existing.name = fields.name;
      if (!faults.has('put-keeps-description') || fields.description !== null) existing.description = fields.description;
      if (!faults.has('put-keeps-updated-at')) existing.updatedAt = nowIso();
      return send(res, 200, present(existing));
    }
    if (method === 'DELETE') {
      if (existing === undefined) return error(res, 404, 'item not found');
      items.delete(String(existing.id));
      if (faults.has('delete-200-json')) return send(res, 200, { deleted: true });
      return send(res, 204);
    }
    return error(res, 405, 'method not allowed');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) error(res, 500, 'internal error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
