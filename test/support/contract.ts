/**
 * The black-box HTTP contract check (see CONTRACT.md), written once for every language
 * and database. It talks to a running service over HTTP only, assumes nothing about what
 * is already stored, and cleans up the items it creates.
 *
 * Every check can fail: a check whose prerequisite failed is reported as failed
 * ("not run: …"), never silently passed.
 */
import { isDeepStrictEqual } from 'node:util';

export interface ContractReport {
  passed: string[];
  failed: { check: string; detail: string }[];
}

export interface ContractOptions {
  log?: (line: string) => void;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

export type ItemId = number | string;

export interface Item {
  id: ItemId;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

const MIB = 1024 * 1024;
const ITEM_KEYS = ['createdAt', 'description', 'id', 'name', 'updatedAt'];
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const OBJECT_ID = /^[0-9a-f]{24}$/;
const JSON_TYPE = /^application\/json\s*(;|$)/i;
/** Absent for SQL (largest INT) and for MongoDB (a well-formed ObjectId nobody made). */
const ABSENT_IDS = ['2147483647', 'ffffffffffffffffffffffff'];
/** Not ids at all for any database; 99999999999999999999 overflows BIGINT, 1.5 trips parseInt. */
const INVALID_IDS = ['abc', '0', '-1', '1.5', '99999999999999999999'];
/** Every operation of the contract, as an OpenAPI document names it. */
const OPENAPI_OPERATIONS: Record<string, string[]> = {
  '/health': ['get'],
  '/health/live': ['get'],
  '/items': ['get', 'post'],
  '/items/{id}': ['get', 'put', 'delete'],
};
/** Tolerance for "createdAt is now": generous for slow machines, far below any time-zone slip. */
const CLOCK_TOLERANCE_MS = 5 * 60 * 1000;

/** Things an error body must never contain: they betray stack traces, SQL or driver internals. */
const LEAKS: [RegExp, string][] = [
  [/Traceback/, 'a Python traceback'],
  [/\bat\s+(?:async\s+)?(?:[^\s(]+\s+)?\(?(?:\/|file:|node:|[A-Za-z]:\\)[^\s)]*:\d+:\d+/, 'a JavaScript stack frame'],
  [/stack/i, 'a stack trace'],
  [/\.(?:m?js|cjs|ts|py|rb|php)(?::\d+|\(\d+\))/, 'a source file and line'],
  [/SQLSTATE/i, 'an SQLSTATE'],
  [/\b(?:SELECT|INSERT|UPDATE|DELETE)\b[^"]*\b(?:FROM|INTO|SET|WHERE)\b/, 'an SQL statement'],
  [/syntax error at or near|relation "[^"]*" does not exist|ER_[A-Z_]{3,}|duplicate key/i, 'a database error message'],
  [/psycopg|pymysql|PDOException|PG::|Mysql2::|Sequel::|sqlalchemy|MongoServerError|MongoError|ECONNREFUSED/i, 'a driver error'],
];

// ---------------------------------------------------------------------------
// HTTP plumbing

class CheckFailure extends Error {}

interface Exchange {
  request: string;
  status: number;
  contentType: string;
  text: string;
  json: unknown;
  isJson: boolean;
}

type Body = { raw: string } | { json: unknown };

function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max)}… (${text.length} chars)`;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no response before the timeout';
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${error.message}: ${cause.message}${code && !cause.message.includes(code) ? ` (${code})` : ''}`;
  }
  return error.message;
}

class Http {
  /** Ids of every item any POST created, including ones a buggy server should have refused. */
  readonly createdIds = new Set<ItemId>();

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async send(method: string, path: string, body?: Body): Promise<Exchange> {
    const payload = body === undefined ? undefined : 'raw' in body ? body.raw : JSON.stringify(body.json);
    const request = `${method} ${path}${payload === undefined ? '' : ` with body ${excerpt(payload, 160)}`}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        body: payload,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'manual',
      });
      text = await response.text();
    } catch (error) {
      throw new CheckFailure(`expected a response\n  request: ${request}\n  got none: ${describeError(error)}`);
    }
    let json: unknown;
    let isJson = false;
    try {
      json = JSON.parse(text);
      isJson = true;
    } catch {
      json = undefined;
    }
    const exchange: Exchange = {
      request,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text,
      json,
      isJson,
    };
    if (method === 'POST' && path === '/items' && response.status === 201 && isJson) {
      const id = (json as { id?: unknown } | null)?.id;
      if (typeof id === 'number' || typeof id === 'string') this.createdIds.add(id);
    }
    return exchange;
  }
}

function show(ex: Exchange): string {
  return `  request: ${ex.request}\n  response: HTTP ${ex.status}, Content-Type ${ex.contentType || '(none)'}, body ${ex.text === '' ? '(empty)' : excerpt(ex.text)}`;
}

function fail(ex: Exchange, expected: string): never {
  throw new CheckFailure(`expected ${expected}\n${show(ex)}`);
}

function expectStatus(ex: Exchange, ...statuses: number[]): void {
  if (!statuses.includes(ex.status)) fail(ex, `HTTP ${statuses.join(' or ')}, got ${ex.status}`);
}

function expectJson(ex: Exchange): void {
  if (!JSON_TYPE.test(ex.contentType)) fail(ex, 'Content-Type application/json');
  if (!ex.isJson) fail(ex, 'a JSON body');
}

/** An error response: the status, JSON `{"error": "<message>"}`, and no internals. */
function expectError(ex: Exchange, ...statuses: number[]): void {
  expectStatus(ex, ...statuses);
  expectJson(ex);
  const body = ex.json as { error?: unknown } | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail(ex, 'an error object {"error": "<message>"}');
  if (typeof body.error !== 'string' || body.error.trim() === '') fail(ex, 'a non-empty string in "error"');
  for (const [pattern, what] of LEAKS) {
    if (pattern.test(ex.text) || pattern.test(JSON.stringify(body))) fail(ex, `an error body without ${what} (matched ${pattern})`);
  }
}

function isIsoMs(value: unknown): value is string {
  return typeof value === 'string' && ISO_MS.test(value) && new Date(value).toISOString() === value;
}

/** Checks the item shape of `value` (a response body or a list element) and returns it. */
function asItem(ex: Exchange, value: unknown, where = 'the body'): Item {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(ex, `${where} to be an item object`);
  const item = value as Record<string, unknown>;
  const keys = Object.keys(item).sort();
  if (!isDeepStrictEqual(keys, ITEM_KEYS)) fail(ex, `${where} to have exactly the keys ${ITEM_KEYS.join(', ')}; it has ${keys.join(', ')}`);
  const id = item.id;
  const idOk = (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) || (typeof id === 'string' && OBJECT_ID.test(id));
  if (!idOk) fail(ex, `${where}: id to be a positive integer (SQL) or a 24-hex-digit ObjectId string (MongoDB), got ${JSON.stringify(id)}`);
  if (typeof item.name !== 'string') fail(ex, `${where}: name to be a string`);
  if (item.description !== null && typeof item.description !== 'string') fail(ex, `${where}: description to be a string or null`);
  for (const key of ['createdAt', 'updatedAt']) {
    if (!isIsoMs(item[key])) fail(ex, `${where}: ${key} as ISO-8601 UTC with milliseconds (2026-11-24T10:11:12.345Z), got ${JSON.stringify(item[key])}`);
  }
  if ((item.updatedAt as string) < (item.createdAt as string)) fail(ex, `${where}: updatedAt ≥ createdAt`);
  return item as unknown as Item;
}

function expectItem(ex: Exchange, status: number, want: { name: string; description: string | null }): Item {
  expectStatus(ex, status);
  expectJson(ex);
  const item = asItem(ex, ex.json);
  if (item.name !== want.name) fail(ex, `name ${excerpt(JSON.stringify(want.name), 80)}, got ${excerpt(JSON.stringify(item.name), 80)}`);
  if (item.description !== want.description) fail(ex, `description ${JSON.stringify(want.description)}, got ${excerpt(JSON.stringify(item.description), 80)}`);
  return item;
}

function expectList(ex: Exchange): Item[] {
  expectStatus(ex, 200);
  expectJson(ex);
  if (!Array.isArray(ex.json)) fail(ex, 'a JSON array');
  return ex.json.map((value, index) => asItem(ex, value, `element ${index}`));
}

function compareIds(a: ItemId, b: ItemId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // Same-length lowercase hex compares like the ObjectId bytes it encodes.
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Whether `a` belongs before `b`: createdAt descending, then id descending. */
function newerFirst(a: Item, b: Item): boolean {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt;
  return compareIds(a.id, b.id) > 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function needs<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new CheckFailure(`not run: needs ${what}, which an earlier check failed to provide`);
  return value;
}

// ---------------------------------------------------------------------------
// Running checks

class Runner {
  readonly report: ContractReport = { passed: [], failed: [] };

  constructor(private readonly log: (line: string) => void) {}

  async check(name: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      this.report.passed.push(name);
      this.log(`ok    ${name}`);
      return true;
    } catch (error) {
      const detail = error instanceof CheckFailure ? error.message : `the check itself crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      this.report.failed.push({ check: name, detail });
      this.log(`FAIL  ${name}\n${detail.replace(/^/gm, '      ')}`);
      return false;
    }
  }
}

function uniqueTag(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** A JSON POST body of exactly `bytes` bytes, padded in an unknown field (which must be ignored). */
function paddedBody(name: string, bytes: number): string {
  const shell = JSON.stringify({ name, padding: '' });
  return JSON.stringify({ name, padding: 'x'.repeat(bytes - Buffer.byteLength(shell)) });
}

// ---------------------------------------------------------------------------
// The contract

export async function checkContract(baseUrl: string, opts: ContractOptions = {}): Promise<ContractReport> {
  const http = new Http(baseUrl, opts.timeoutMs ?? 10_000);
  const run = new Runner(opts.log ?? (() => undefined));
  const tag = uniqueTag();
  try {
    await checkRouting(http, run);
    const first = await checkCreate(http, run, tag);
    await checkCreateValidation(http, run);
    await checkBodyLimit(http, run, tag);
    await checkRead(http, run, first);
    await checkUpdate(http, run, tag);
    await checkDelete(http, run, tag);
    await checkList(http, run, tag);
  } finally {
    await cleanUp(http);
  }
  return run.report;
}

async function checkRouting(http: Http, run: Runner): Promise<void> {
  await run.check('GET /health → 200 {"status":"ok","database":"up"}', async () => {
    const ex = await http.send('GET', '/health');
    expectStatus(ex, 200);
    expectJson(ex);
    if (!isDeepStrictEqual(ex.json, { status: 'ok', database: 'up' })) fail(ex, 'exactly {"status":"ok","database":"up"}');
  });
  await run.check('GET /health/live → 200 {"status":"ok"}', async () => {
    const ex = await http.send('GET', '/health/live');
    expectStatus(ex, 200);
    expectJson(ex);
    if (!isDeepStrictEqual(ex.json, { status: 'ok' })) fail(ex, 'exactly {"status":"ok"}');
  });
  await run.check('GET /openapi.json → 200 an OpenAPI 3.x document describing every contract route', async () => {
    const ex = await http.send('GET', '/openapi.json');
    expectStatus(ex, 200);
    expectJson(ex);
    const doc = ex.json as { openapi?: unknown; paths?: Record<string, Record<string, unknown>> } | null;
    if (typeof doc?.openapi !== 'string' || !/^3\.\d+\.\d+$/.test(doc.openapi)) fail(ex, '"openapi": "3.x.y"');
    const paths = doc.paths;
    if (typeof paths !== 'object' || paths === null) fail(ex, 'a "paths" object');
    for (const [route, methods] of Object.entries(OPENAPI_OPERATIONS)) {
      const item = paths[route];
      if (typeof item !== 'object' || item === null) fail(ex, `"paths" to describe ${route}`);
      for (const method of methods) {
        if (typeof item[method] !== 'object' || item[method] === null) fail(ex, `"paths" to describe ${method.toUpperCase()} ${route}`);
      }
    }
  });
  await run.check('GET /nope (unknown path) → 404 JSON error', async () => {
    expectError(await http.send('GET', '/nope'), 404);
  });
  await run.check('DELETE /items (method not served) → 404 or 405 JSON error', async () => {
    expectError(await http.send('DELETE', '/items'), 404, 405);
  });
}

async function checkCreate(http: Http, run: Runner, tag: string): Promise<Item | undefined> {
  let first: Item | undefined;
  let firstSentAt = 0;
  await run.check('POST /items {"name"} → 201 JSON item, description null, ISO-ms timestamps', async () => {
    firstSentAt = Date.now();
    first = expectItem(await http.send('POST', '/items', { json: { name: `first ${tag}` } }), 201, { name: `first ${tag}`, description: null });
  });
  await run.check('POST /items: createdAt is the current UTC time', async () => {
    const item = needs(first, 'an item created by POST /items');
    const skew = Date.parse(item.createdAt) - firstSentAt;
    if (Math.abs(skew) > CLOCK_TOLERANCE_MS) {
      throw new CheckFailure(
        `expected createdAt within ${CLOCK_TOLERANCE_MS / 60000} min of the request time ${new Date(firstSentAt).toISOString()}, ` +
          `got ${item.createdAt} (${Math.round(skew / 60000)} min off: a local time labelled as UTC?)`,
      );
    }
  });
  await run.check('POST /items {"name","description"} → 201 with the description', async () => {
    const want = { name: `described ${tag}`, description: 'a description, with "quotes" and ünïcode' };
    expectItem(await http.send('POST', '/items', { json: want }), 201, want);
  });
  await run.check('POST /items {"description": null} → 201 with description null', async () => {
    expectItem(await http.send('POST', '/items', { json: { name: `null description ${tag}`, description: null } }), 201, {
      name: `null description ${tag}`,
      description: null,
    });
  });
  await run.check('POST /items ignores unknown fields', async () => {
    const ex = await http.send('POST', '/items', { json: { name: `extra ${tag}`, colour: 'blue', id: 12345, createdAt: '2000-01-01T00:00:00.000Z' } });
    const item = expectItem(ex, 201, { name: `extra ${tag}`, description: null });
    if (item.createdAt === '2000-01-01T00:00:00.000Z') fail(ex, 'createdAt set by the server, not taken from the request');
  });
  await run.check('POST /items with a 200-character name → 201', async () => {
    const name = 'n'.repeat(200);
    expectItem(await http.send('POST', '/items', { json: { name } }), 201, { name, description: null });
  });
  await run.check('POST /items with a 200-character non-ASCII name → 201 (the limit counts characters, not bytes)', async () => {
    const name = 'é'.repeat(200);
    expectItem(await http.send('POST', '/items', { json: { name } }), 201, { name, description: null });
  });
  return first;
}

/** Bodies both POST and PUT must refuse with 400. */
function invalidBodies(): [string, Body][] {
  return [
    ['invalid JSON', { raw: '{"name": "x",' }],
    ['an empty body', { raw: '' }],
    ['a JSON array', { json: [{ name: 'x' }] }],
    ['a JSON string', { json: 'x' }],
    ['JSON null', { json: null }],
    ['a JSON number', { json: 42 }],
    ['no name', { json: { description: 'no name' } }],
    ['an empty name', { json: { name: '' } }],
    ['a 201-character name', { json: { name: 'n'.repeat(201) } }],
    ['a 201-character non-ASCII name', { json: { name: 'é'.repeat(201) } }],
    ['a numeric name', { json: { name: 42 } }],
    ['a null name', { json: { name: null } }],
    ['a boolean name', { json: { name: true } }],
    ['an array name', { json: { name: ['x'] } }],
    ['an object name', { json: { name: { first: 'x' } } }],
    ['a numeric description', { json: { name: 'x', description: 42 } }],
    ['a boolean description', { json: { name: 'x', description: false } }],
    ['an object description', { json: { name: 'x', description: { text: 'x' } } }],
    ['an array description', { json: { name: 'x', description: ['x'] } }],
  ];
}

async function checkCreateValidation(http: Http, run: Runner): Promise<void> {
  for (const [what, body] of invalidBodies()) {
    await run.check(`POST /items with ${what} → 400 JSON error`, async () => {
      expectError(await http.send('POST', '/items', body), 400);
    });
  }
}

async function checkBodyLimit(http: Http, run: Runner, tag: string): Promise<void> {
  await run.check('POST /items with a body of exactly 1 MiB → 201 (only bodies over 1 MiB are refused)', async () => {
    const name = `one mebibyte ${tag}`;
    expectItem(await http.send('POST', '/items', { raw: paddedBody(name, MIB) }), 201, { name, description: null });
  });
  for (const [what, bytes] of [
    ['1 MiB + 1 byte', MIB + 1],
    ['1.1 MiB', Math.round(1.1 * MIB)],
  ] as const) {
    await run.check(`POST /items with a body of ${what} → 413 JSON error`, async () => {
      expectError(await http.send('POST', '/items', { raw: paddedBody(`too big ${tag}`, bytes) }), 413);
    });
  }
}

async function checkRead(http: Http, run: Runner, first: Item | undefined): Promise<void> {
  await run.check('GET /items/:id → 200 the item exactly as POST returned it', async () => {
    const item = needs(first, 'an item created by POST /items');
    const ex = await http.send('GET', `/items/${item.id}`);
    expectStatus(ex, 200);
    expectJson(ex);
    if (!isDeepStrictEqual(ex.json, item)) fail(ex, `the body to equal the POST response ${JSON.stringify(item)}`);
  });
  for (const id of [...ABSENT_IDS, ...INVALID_IDS]) {
    await run.check(`GET /items/${id} → 404 JSON error`, async () => {
      expectError(await http.send('GET', `/items/${id}`), 404);
    });
  }
}

async function createFor(http: Http, name: string, description: string | null = null): Promise<Item> {
  const ex = await http.send('POST', '/items', { json: { name, description } });
  try {
    return expectItem(ex, 201, { name, description });
  } catch (error) {
    throw new CheckFailure(`not run: could not create the item it needs\n${(error as Error).message}`);
  }
}

async function checkUpdate(http: Http, run: Runner, tag: string): Promise<void> {
  let original: Item | undefined;
  let updated: Item | undefined;
  await run.check('PUT /items/:id → 200 with the new name and description, same id and createdAt', async () => {
    original = await createFor(http, `before update ${tag}`, 'old description');
    // A pause so a server that bumps updatedAt cannot land on the same millisecond.
    await sleep(25);
    const want = { name: `after update ${tag}`, description: 'new description' };
    const ex = await http.send('PUT', `/items/${original.id}`, { json: want });
    updated = expectItem(ex, 200, want);
    if (updated.id !== original.id) fail(ex, `id to stay ${JSON.stringify(original.id)}`);
    if (updated.createdAt !== original.createdAt) fail(ex, `createdAt to stay ${original.createdAt}`);
  });
  await run.check('PUT /items/:id advances updatedAt', async () => {
    const before = needs(original, 'an item to update');
    const after = needs(updated, 'a successful PUT');
    if (!(after.updatedAt > before.updatedAt)) {
      throw new CheckFailure(`expected updatedAt after ${before.updatedAt} once the item changed 25 ms later, got ${after.updatedAt}`);
    }
  });
  await run.check('GET /items/:id after PUT → the updated item', async () => {
    const after = needs(updated, 'a successful PUT');
    const ex = await http.send('GET', `/items/${after.id}`);
    expectStatus(ex, 200);
    expectJson(ex);
    if (!isDeepStrictEqual(ex.json, after)) fail(ex, `the body to equal the PUT response ${JSON.stringify(after)}`);
  });
  await run.check('PUT /items/:id without "description" → description null (PUT replaces it)', async () => {
    const after = needs(updated, 'a successful PUT');
    const ex = await http.send('PUT', `/items/${after.id}`, { json: { name: `renamed ${tag}` } });
    updated = expectItem(ex, 200, { name: `renamed ${tag}`, description: null });
  });

  let target: Item | undefined;
  for (const [what, body] of invalidBodies()) {
    await run.check(`PUT /items/:id with ${what} → 400 JSON error`, async () => {
      target ??= await createFor(http, `put target ${tag}`, 'keep me');
      expectError(await http.send('PUT', `/items/${target.id}`, body), 400);
    });
  }
  await run.check('a refused PUT leaves the item unchanged', async () => {
    const item = needs(target, 'an item that received invalid PUTs');
    const ex = await http.send('GET', `/items/${item.id}`);
    expectStatus(ex, 200);
    expectJson(ex);
    if (!isDeepStrictEqual(ex.json, item)) fail(ex, `the item as created, ${JSON.stringify(item)}`);
  });
  for (const id of [...ABSENT_IDS, 'abc']) {
    await run.check(`PUT /items/${id} (valid body) → 404 JSON error`, async () => {
      expectError(await http.send('PUT', `/items/${id}`, { json: { name: 'nobody' } }), 404);
    });
  }
}

async function checkDelete(http: Http, run: Runner, tag: string): Promise<void> {
  let deleted: Item | undefined;
  await run.check('DELETE /items/:id → 204 with an empty body', async () => {
    const item = await createFor(http, `to delete ${tag}`);
    const ex = await http.send('DELETE', `/items/${item.id}`);
    expectStatus(ex, 204);
    if (ex.text !== '') fail(ex, 'an empty body');
    deleted = item;
  });
  await run.check('GET /items/:id after DELETE → 404 JSON error', async () => {
    const item = needs(deleted, 'a deleted item');
    expectError(await http.send('GET', `/items/${item.id}`), 404);
  });
  await run.check('DELETE /items/:id a second time → 404 JSON error', async () => {
    const item = needs(deleted, 'a deleted item');
    expectError(await http.send('DELETE', `/items/${item.id}`), 404);
  });
  await run.check('PUT /items/:id after DELETE → 404 JSON error', async () => {
    const item = needs(deleted, 'a deleted item');
    expectError(await http.send('PUT', `/items/${item.id}`, { json: { name: 'ghost' } }), 404);
  });
  for (const id of [...ABSENT_IDS, 'abc', '0']) {
    await run.check(`DELETE /items/${id} → 404 JSON error`, async () => {
      expectError(await http.send('DELETE', `/items/${id}`), 404);
    });
  }
}

async function checkList(http: Http, run: Runner, tag: string): Promise<void> {
  // Created outside any check so that a failure here shows up as the ordering check's
  // "not run" rather than as a list failure.
  const sequence: Item[] = [];
  try {
    for (const n of [1, 2, 3]) {
      sequence.push(await createFor(http, `sequence ${n} ${tag}`));
      await sleep(20);
    }
  } catch {
    sequence.length = 0;
  }
  let page100: Item[] | undefined;
  await run.check('GET /items?limit=100 → 200 JSON array of items', async () => {
    page100 = expectList(await http.send('GET', '/items?limit=100'));
    if (page100.length > 100) throw new CheckFailure(`expected at most 100 items, got ${page100.length}`);
  });
  await run.check('GET /items lists newest first (three items created in sequence)', async () => {
    const page = needs(page100, 'a list response');
    if (sequence.length !== 3) throw new CheckFailure('not run: could not create the three items it orders (POST /items failed)');
    const positions = sequence.map((item) => page.findIndex((listed) => listed.id === item.id));
    const missing = sequence.filter((_, i) => positions[i] === -1);
    if (missing.length > 0) throw new CheckFailure(`expected the just-created items ${missing.map((i) => JSON.stringify(i.id)).join(', ')} among the first 100 listed; they are absent`);
    const [p1 = 0, p2 = 0, p3 = 0] = positions;
    if (!(p3 < p2 && p2 < p1)) {
      throw new CheckFailure(`expected the third item before the second before the first (newest first), got positions ${p1}, ${p2}, ${p3} for the first, second, third`);
    }
  });
  await run.check('GET /items?limit=100 is ordered by createdAt, then id, descending', async () => {
    const page = needs(page100, 'a list response');
    for (let i = 1; i < page.length; i++) {
      const [a, b] = [page[i - 1] as Item, page[i] as Item];
      if (!newerFirst(a, b)) {
        throw new CheckFailure(`expected newest first, but element ${i - 1} ${JSON.stringify(a)} comes before element ${i} ${JSON.stringify(b)}`);
      }
    }
  });

  let atLeast21 = false;
  await run.check('GET /items without paging → exactly 20 items (the default limit) when more exist', async () => {
    const page = needs(page100, 'a list response');
    for (let n = page.length; n < 21; n++) await createFor(http, `filler ${n} ${tag}`);
    atLeast21 = true;
    const all = expectList(await http.send('GET', '/items?limit=100'));
    const ex = await http.send('GET', '/items');
    const defaults = expectList(ex);
    if (defaults.length !== 20) fail(ex, `20 items (${all.length} exist), got ${defaults.length}`);
    const expectedIds = all.slice(0, 20).map((item) => item.id);
    if (!isDeepStrictEqual(defaults.map((item) => item.id), expectedIds)) {
      fail(ex, `the first 20 of ?limit=100 (offset defaults to 0): ids ${JSON.stringify(expectedIds)}`);
    }
  });
  await run.check('GET /items?limit=1 → exactly 1 item', async () => {
    const ex = await http.send('GET', '/items?limit=1');
    if (expectList(ex).length !== 1) fail(ex, 'exactly one item');
  });
  await run.check('GET /items?limit=2&offset=1 → elements 2–3 of ?limit=3', async () => {
    if (!atLeast21) throw new CheckFailure('not run: needs at least 21 stored items');
    const three = expectList(await http.send('GET', '/items?limit=3')).map((item) => item.id);
    const ex = await http.send('GET', '/items?limit=2&offset=1');
    const slice = expectList(ex).map((item) => item.id);
    if (!isDeepStrictEqual(slice, three.slice(1))) fail(ex, `ids ${JSON.stringify(three.slice(1))} (elements 2–3 of ?limit=3, ${JSON.stringify(three)})`);
  });
  await run.check('GET /items?limit=100 → more than 20 items when more exist', async () => {
    if (!atLeast21) throw new CheckFailure('not run: needs at least 21 stored items');
    const ex = await http.send('GET', '/items?limit=100');
    const page = expectList(ex);
    if (page.length <= 20 || page.length > 100) fail(ex, `between 21 and 100 items, got ${page.length}`);
  });
  await run.check('GET /items?offset=1000000 (past the end) → 200 []', async () => {
    const ex = await http.send('GET', '/items?offset=1000000');
    if (expectList(ex).length !== 0) fail(ex, 'an empty array');
  });
  const bad: [string, string][] = [
    ['limit', '0'],
    ['limit', '101'],
    ['limit', '-1'],
    ['limit', 'abc'],
    ['limit', '1.5'],
    ['limit', ''],
    ['offset', '-1'],
    ['offset', 'abc'],
    ['offset', '1.5'],
    ['offset', ''],
  ];
  for (const [param, value] of bad) {
    await run.check(`GET /items?${param}=${value} → 400 JSON error`, async () => {
      expectError(await http.send('GET', `/items?${param}=${value}`), 400);
    });
  }
}

async function cleanUp(http: Http): Promise<void> {
  for (const id of http.createdIds) {
    try {
      await http.send('DELETE', `/items/${encodeURIComponent(String(id))}`);
    } catch {
      // Best effort: a service that is down or broken must not hide the real report.
    }
  }
}

/** With the database unreachable: health says so, and item routes fail without leaking internals. */
export async function checkHealthDown(baseUrl: string, opts: ContractOptions = {}): Promise<ContractReport> {
  // Drivers may spend a while discovering that the database is gone.
  const http = new Http(baseUrl, opts.timeoutMs ?? 20_000);
  const run = new Runner(opts.log ?? (() => undefined));
  await run.check('GET /health with the database down → 503 {"status":"error","database":"down"}', async () => {
    const ex = await http.send('GET', '/health');
    expectStatus(ex, 503);
    expectJson(ex);
    if (!isDeepStrictEqual(ex.json, { status: 'error', database: 'down' })) fail(ex, 'exactly {"status":"error","database":"down"}');
  });
  await run.check('GET /health/live with the database down → 200 {"status":"ok"} (liveness never touches the database)', async () => {
    const ex = await http.send('GET', '/health/live');
    expectStatus(ex, 200);
    expectJson(ex);
    if (!isDeepStrictEqual(ex.json, { status: 'ok' })) fail(ex, 'exactly {"status":"ok"}');
  });
  await run.check('GET /items with the database down → 5xx JSON error without internals', async () => {
    const ex = await http.send('GET', '/items');
    if (ex.status < 500 || ex.status > 599) fail(ex, `a 5xx status, got ${ex.status}`);
    expectError(ex, ex.status);
  });
  await run.check('POST /items with the database down → 5xx JSON error without internals', async () => {
    const ex = await http.send('POST', '/items', { json: { name: 'while down' } });
    if (ex.status < 500 || ex.status > 599) fail(ex, `a 5xx status, got ${ex.status}`);
    expectError(ex, ex.status);
  });
  return run.report;
}

/** Throws one Error listing every failed check, with what was sent, expected and received. */
export function assertContract(report: ContractReport): void {
  if (report.failed.length === 0) return;
  const total = report.failed.length + report.passed.length;
  const lines = report.failed.map(({ check, detail }) => `✗ ${check}\n${detail.replace(/^/gm, '    ')}`);
  throw new Error(`${report.failed.length} of ${total} contract checks failed (see test/support/CONTRACT.md):\n\n${lines.join('\n\n')}`);
}
