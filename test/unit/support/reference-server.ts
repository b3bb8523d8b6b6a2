/**
 * An in-memory implementation of CONTRACT.md, for testing contract.ts itself: with no
 * faults it must pass every check; each fault is a realistic bug that some check must
 * catch.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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
  | 'openapi-without-item-id' // the document forgets /items/{id}
  // Hostile input (hostile.ts):
  | 'deep-nesting-500' // no depth limit; a recursive validator overflows on 10,000 levels (Python's RecursionError)
  | 'lossy-utf8' // invalid UTF-8 decoded to U+FFFD and stored (Buffer#toString)
  | 'stores-lone-surrogates' // lone surrogates stored as U+FFFD (what a UTF-8 database does to them)
  | 'nul-truncates' // "a\u0000b" stored as "a" with 201 (PHP × PostgreSQL)
  | 'nul-500' // the database refuses NUL and the error becomes a 500
  | 'bigint-500' // paging digits converted before range checks; > 4,300 digits raise (Python's int limit)
  | 'percent-decoding-500' // decodeURIComponent('%ff') throws and becomes a 500
  | 'plain-protocol-errors' // Node's default clientError answer: 400 with no body, not JSON
  | 'connect-closes' // no 'connect' listener: Node drops CONNECT requests without an answer
  | 'reads-whole-body-before-413' // ignores the declared length and reads everything before refusing
  | 'no-request-timeout' // a stalled body or head is waited on forever
  | 'answers-first-pipelined-only' // closes the connection after the first of several pipelined requests
  | 'rejects-4-byte-utf8' // MySQL's 3-byte utf8 charset: characters beyond U+FFFF raise "Incorrect string value"
  | 'int64-overflow-500' // paging values handed to the database as BIGINT without a range check
  | 'query-decoding-500' // the query string decoded strictly, and the error becomes a 500 (Ruby's ArgumentError)
  // Load (load.ts):
  | 'overload-503' // 503 when more than 8 connections are open (a fixed worker pool shedding load)
  | 'stall-every-50th' // every 50th request never gets an answer
  // SIGTERM (reference-main.ts):
  | 'sigterm-drops-in-flight' // exits 0 at once, dropping what is in flight
  | 'sigterm-default' // no handler: killed by the signal, in-flight requests dropped
  | 'sigterm-keeps-listening' // drains, but keeps accepting (and serving) new connections meanwhile
  // Schemathesis (schemathesis.ts):
  | 'paging-500' // limit over 100 raises instead of answering 400
  | 'openapi-id-as-string' // the document says ids are strings, the server returns integers
  | 'no-openapi'; // /openapi.json is a 404

export interface ReferenceOptions {
  faults?: Fault[];
  idKind?: 'integer' | 'objectid';
  /** Simulates an unreachable database: health 503, item routes 500. */
  databaseDown?: boolean;
  /** With databaseDown: leak the driver error into the 500 body. */
  leakDriverError?: boolean;
  /** How long a request (head and body) may take to arrive before 408; default 2 s. */
  requestTimeoutMs?: number;
  /** Listen on this port (default: any free one). */
  port?: number;
}

export interface ReferenceServer {
  url: string;
  /** Stops accepting, finishes the requests in flight, then resolves. */
  drain(): Promise<void>;
  /** Requests received but not yet answered. */
  inFlight(): number;
  close(): Promise<void>;
}

interface Stored {
  id: number | string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

const LIMIT = 1024 * 1024;
const MAX_DEPTH = 64;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Nesting depth of JSON text, counted without parsing it (so it cannot recurse). */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return max;
}

/** A recursive walk, as naive validators do: deep enough input overflows like Python's RecursionError. */
function recursiveWalk(value: unknown, depth = 0): void {
  if (depth > 1000) throw new RangeError('maximum recursion depth exceeded');
  if (typeof value === 'object' && value !== null) for (const child of Object.values(value)) recursiveWalk(child, depth + 1);
}

const JSON_HEAD = (status: number, reason: string, body: string): string =>
  `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

export async function startReferenceServer(options: ReferenceOptions = {}): Promise<ReferenceServer> {
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

  const readBody = (req: IncomingMessage, res: ServerResponse): Promise<string | 'too-large' | 'reset' | 'bad-utf8'> =>
    new Promise((resolve) => {
      const limit = faults.has('no-body-limit') ? Infinity : faults.has('express-default-limit') ? 100 * 1024 : LIMIT;
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > limit && !faults.has('reads-whole-body-before-413')) {
        if (faults.has('reset-on-large-body')) {
          req.socket.destroy();
          resolve('reset');
          return;
        }
        // Refused from the headers; closing after the answer means the rest is never read.
        res.setHeader('connection', 'close');
        resolve('too-large');
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit && !faults.has('reads-whole-body-before-413')) {
          // Refused at the first byte past the limit, never buffered whole.
          req.pause();
          res.setHeader('connection', 'close');
          resolve('too-large');
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (size > limit) return resolve('too-large');
        const buffer = Buffer.concat(chunks);
        if (faults.has('lossy-utf8')) return resolve(buffer.toString('utf8'));
        try {
          resolve(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer));
        } catch {
          resolve('bad-utf8');
        }
      });
      // An aborted or malformed body: the clientError handler answers, if anyone can.
      req.on('error', () => resolve('reset'));
      req.on('aborted', () => resolve('reset'));
    });

  /** Validates a POST/PUT body; returns the fields or an error message. */
  const validate = (text: string): { name: string; description: string | null; createdAt?: string } | string => {
    let body: unknown;
    if (text === '' && faults.has('accepts-empty-body')) return { name: 'empty', description: null };
    if (!faults.has('deep-nesting-500') && jsonDepth(text) > MAX_DEPTH) return `JSON nested deeper than ${MAX_DEPTH} levels`;
    try {
      body = JSON.parse(text);
    } catch {
      return 'body must be valid JSON';
    }
    if (faults.has('deep-nesting-500')) recursiveWalk(body);
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
    let finalDescription = (description as string | null | undefined) ?? null;
    for (const text of [finalName, finalDescription ?? '']) {
      if (LONE_SURROGATE.test(text) && !faults.has('stores-lone-surrogates')) return 'strings must not contain lone surrogates';
      if (text.includes('\u0000')) {
        if (faults.has('nul-500')) throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
        if (!faults.has('nul-truncates')) return 'strings must not contain NUL characters';
      }
    }
    if (faults.has('rejects-4-byte-utf8') && /[\u{10000}-\u{10ffff}]/u.test(finalName + (finalDescription ?? ''))) {
      throw new Error("Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column 'name'");
    }
    const stored = (text: string): string => {
      let out = faults.has('stores-lone-surrogates') ? text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd') : text;
      if (faults.has('nul-truncates')) out = out.split('\u0000')[0] ?? '';
      return out;
    };
    if (finalDescription !== null) finalDescription = stored(finalDescription);
    return {
      name: stored(finalName),
      description: finalDescription,
      ...(faults.has('takes-created-at-from-body') && typeof createdAt === 'string' ? { createdAt } : {}),
    };
  };

  const present = (item: Stored): Record<string, unknown> =>
    faults.has('extra-mongo-id-field') ? { _id: String(item.id), ...item } : { ...item };

  const pagingValue = (raw: string | null, fallback: number, min: number, max: number): number | undefined => {
    if (raw === null) return fallback;
    if (faults.has('bigint-500') && raw.length > 4300) throw new Error('Exceeds the limit (4300 digits) for integer string conversion');
    if (faults.has('lenient-paging')) {
      const n = Number.parseInt(raw, 10);
      return Number.isNaN(n) ? fallback : Math.min(Math.max(n, min), max);
    }
    if (faults.has('int64-overflow-500') && /^-?\d+$/.test(raw) && (BigInt(raw) > 2n ** 63n - 1n || BigInt(raw) < -(2n ** 63n))) {
      throw new Error('bigint out of range');
    }
    if (!/^\d+$/.test(raw)) return undefined;
    const n = Number(raw);
    if (faults.has('paging-500') && max === 100 && n > max) throw new Error('limit out of range');
    return n >= min && n <= max ? n : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (faults.has('query-decoding-500')) decodeURIComponent(url.search);
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path === '/health/live' && method === 'GET') {
      if (options.databaseDown && faults.has('live-touches-database')) return send(res, 503, { status: 'error' });
      return send(res, 200, { status: 'ok' });
    }
    if (path === '/openapi.json' && method === 'GET' && !faults.has('no-openapi')) {
      const doc = openApiDocument(options.idKind === 'objectid' || faults.has('openapi-id-as-string') ? 'string' : 'integer');
      if (faults.has('openapi-without-item-id')) delete doc.paths['/items/{id}'];
      return send(res, 200, doc);
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
        const body = await readBody(req, res);
        if (body === 'reset') return;
        if (body === 'too-large') return error(res, 413, 'body too large');
        if (body === 'bad-utf8') return error(res, 400, 'body must be valid UTF-8');
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

    let rawId: string;
    try {
      rawId = decodeURIComponent(itemMatch?.[1] ?? '');
    } catch (cause) {
      if (faults.has('percent-decoding-500')) throw cause;
      return error(res, 400, 'undecodable percent-escape in the path');
    }
    const key = lookupKey(rawId);
    const existing = key === undefined ? undefined : items.get(key);
    if (method === 'GET') {
      if (existing === undefined) {
        if (faults.has('found-for-missing-id')) return send(res, 200, {});
        return error(res, 404, 'item not found');
      }
      return send(res, 200, present(existing));
    }
    if (method === 'PUT') {
      const body = await readBody(req, res);
      if (body === 'reset') return;
      if (body === 'too-large') return error(res, 413, 'body too large');
      if (body === 'bad-utf8') return error(res, 400, 'body must be valid UTF-8');
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

  let inFlight = 0;
  let seen = 0;
  let openConnections = 0;
  const requestTimeout = faults.has('no-request-timeout') ? 0 : (options.requestTimeoutMs ?? 2000);
  const server = createServer({ requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: 200 }, (req, res) => {
    inFlight++;
    seen++;
    res.on('close', () => inFlight--);
    if (faults.has('answers-first-pipelined-only')) res.on('finish', () => req.socket.destroy());
    if (faults.has('overload-503') && openConnections > 8) return error(res, 503, 'overloaded');
    if (faults.has('stall-every-50th') && seen % 50 === 0) return;
    handle(req, res).catch(() => {
      if (!res.headersSent) error(res, 500, 'internal error');
    });
  });
  server.on('connection', (socket: Socket) => {
    openConnections++;
    socket.on('close', () => openConnections--);
  });
  // What Node answers by itself (malformed requests, unknown methods, CONNECT) is JSON too.
  if (!faults.has('plain-protocol-errors')) {
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable || (err as { code?: string }).code === 'ECONNRESET') return socket.destroy();
      const [status, reason] =
        err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout'] : [400, 'Bad Request'];
      socket.end(JSON_HEAD(status, reason, JSON.stringify({ error: reason.toLowerCase() })));
    });
  }
  if (!faults.has('connect-closes')) {
    server.on('connect', (_req: IncomingMessage, socket: Socket) => {
      socket.end(JSON_HEAD(405, 'Method Not Allowed', JSON.stringify({ error: 'method not allowed' })));
    });
  }
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    inFlight: () => inFlight,
    drain: () =>
      (closing ??= new Promise<void>((resolve) => {
        // close() stops accepting and ends idle keep-alive connections; busy ones finish first.
        server.close(() => resolve());
        server.closeIdleConnections();
      })),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}

/** The contract as OpenAPI 3.1, with real schemas so schemathesis can generate and validate. */
function openApiDocument(idType: 'integer' | 'string') {
  const error = { type: 'object', required: ['error'], properties: { error: { type: 'string' } } };
  const item = {
    type: 'object',
    required: ['id', 'name', 'description', 'createdAt', 'updatedAt'],
    additionalProperties: false,
    properties: {
      id: idType === 'integer' ? { type: 'integer', minimum: 1 } : { type: 'string' },
      name: { type: 'string', minLength: 1, maxLength: 200 },
      description: { type: ['string', 'null'] },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  };
  const input = {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, description: { type: ['string', 'null'] } },
  };
  const json = (schema: object) => ({ content: { 'application/json': { schema } } });
  const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [String(code), { description: 'error', ...json(error) }]));
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const body = { required: true, ...json(input) };
  const paths: Record<string, unknown> = {
    '/health': {
      get: { responses: { '200': { description: 'up', ...json({ type: 'object' }) }, '503': { description: 'down', ...json({ type: 'object' }) } } },
    },
    '/health/live': { get: { responses: { '200': { description: 'alive', ...json({ type: 'object' }) } } } },
    '/items': {
      get: {
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
        ],
        responses: { '200': { description: 'items', ...json({ type: 'array', items: item }) }, ...errors(400) },
      },
      post: { requestBody: body, responses: { '201': { description: 'created', ...json(item) }, ...errors(400, 413) } },
    },
    '/items/{id}': {
      parameters: [idParam],
      get: { responses: { '200': { description: 'item', ...json(item) }, ...errors(400, 404) } },
      put: { requestBody: body, responses: { '200': { description: 'updated', ...json(item) }, ...errors(400, 404, 413) } },
      delete: { responses: { '204': { description: 'deleted' }, ...errors(400, 404) } },
    },
  };
  return { openapi: '3.1.0', info: { title: 'reference', version: '1' }, paths };
}
