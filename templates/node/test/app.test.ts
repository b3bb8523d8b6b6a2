import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BODY_LIMIT, buildApp } from '../src/app.ts';
import { DatabaseUnavailableError } from '../src/items.ts';
import { MAX_DEPTH } from '../src/json-body.ts';
import { MemoryRepository } from './memory-repository.ts';

// Unit tests of the HTTP layer: validation, paging, status codes and error shapes,
// against an in-memory repository. test/items.integration.test.ts repeats the
// round trips against the real database.

let repository: MemoryRepository;
let app: FastifyInstance;

beforeEach(() => {
  repository = new MemoryRepository();
  app = buildApp({ repository });
});

afterEach(async () => {
  await app.close();
});

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/items',
    // Strings and raw bytes are sent as they are, so malformed bodies reach the server malformed.
    payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('GET /health', () => {
  it('is 200 when the database answers', async () => {
    const res = await app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'up' });
  });

  it('is 503 when it does not', async () => {
    repository.healthy = false;
    const res = await app.inject('/health');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'error', database: 'down' });
  });

  it('is 503 when the database hangs', async () => {
    const stuck = new MemoryRepository();
    stuck.ping = () => new Promise(() => {});
    const hanging = buildApp({ repository: stuck, healthTimeoutMs: 50 });
    const res = await hanging.inject('/health');
    expect(res.statusCode).toBe(503);
    await hanging.close();
  });
});

describe('GET /health/live', () => {
  it('is 200 without asking the database', async () => {
    repository.ping = () => Promise.reject(new Error('must not be called'));
    const res = await app.inject('/health/live');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /openapi.json', () => {
  it('describes every route of the contract, and only those', async () => {
    const res = await app.inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/health/live', '/items', '/items/{id}']);
    expect(Object.keys(doc.paths['/items/{id}']).sort()).toEqual(['delete', 'get', 'put']);
    expect(doc.paths['/items'].post.responses).toHaveProperty('201');
  });

  it('has an interactive page at /docs', async () => {
    const res = await app.inject('/docs');
    expect(res.statusCode).toBeLessThan(400);
  });
});

describe('POST /items', () => {
  it('stores an item and returns it with id and timestamps', async () => {
    const res = await post({ name: 'first', description: 'a thing' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const item = res.json();
    expect(item).toEqual({
      id: 1,
      name: 'first',
      description: 'a thing',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: item.createdAt,
    });
  });

  it('treats a missing or null description as null and ignores unknown fields', async () => {
    expect((await post({ name: 'a' })).json().description).toBeNull();
    const res = await post({ name: 'b', description: null, extra: true });
    expect(res.statusCode).toBe(201);
    expect(res.json()).not.toHaveProperty('extra');
    expect(res.json().description).toBeNull();
  });

  it('accepts a 200-character name, counted in characters not bytes', async () => {
    expect((await post({ name: 'é'.repeat(200) })).statusCode).toBe(201);
  });

  it.each([
    ['a missing name', { description: 'x' }],
    ['an empty name', { name: '' }],
    ['a 201-character name', { name: 'x'.repeat(201) }],
    ['a number as name', { name: 5 }],
    ['null as name', { name: null }],
    ['a number as description', { name: 'a', description: 5 }],
    ['an array body', [{ name: 'a' }]],
    ['a string body', 'a'],
    ['a null body', null],
  ])('rejects %s with 400', async (_, payload) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });

  it.each([
    ['invalid JSON', '{"name": '],
    ['an empty body', ''],
  ])('rejects %s with 400', async (_, payload) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });

  it('parses the body as JSON whatever the Content-Type says', async () => {
    expect((await post({ name: 'a' }, { 'content-type': 'text/plain' })).statusCode).toBe(201);
    expect((await post('name=a', { 'content-type': 'application/x-www-form-urlencoded' })).statusCode).toBe(400);
  });

  it('rejects a body over 1 MiB with 413', async () => {
    const res = await post({ name: 'a', description: 'x'.repeat(BODY_LIMIT) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });

  it('rejects prototype-poisoning bodies', async () => {
    expect((await post('{"name": "a", "__proto__": {"x": 1}}')).statusCode).toBe(400);
  });

  // Each of these used to be stored altered (U+FFFD) or to fail in the database with a 500.
  it.each([
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"name": "a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])],
    [
      'a truncated UTF-8 sequence',
      Buffer.concat([Buffer.from('{"name": "'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')]),
    ],
    ['a lone high surrogate', '{"name": "a\\ud800b"}'],
    ['a lone low surrogate in a description', '{"name": "a", "description": "\\udc00"}'],
    ['a lone surrogate in an unknown field name', '{"name": "a", "\\ud800": 1}'],
    ['a NUL character', '{"name": "a\\u0000b"}'],
    ['a NUL character in an unknown field', '{"name": "a", "extra": ["\\u0000"]}'],
    ['nesting deeper than the limit', `{"name": "a", "extra": ${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}}`],
  ])('rejects a body with %s with 400, storing nothing', async (_, payload) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
    expect(repository.items).toEqual([]);
  });

  it('accepts well-formed surrogate pairs and nesting up to the limit', async () => {
    const res = await post(
      `{"name": "\\ud83d\\ude80", "extra": ${'['.repeat(MAX_DEPTH - 1)}${']'.repeat(MAX_DEPTH - 1)}}`,
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().name).toBe('🚀');
  });
});

describe('GET /items', () => {
  it('lists newest first, 20 by default', async () => {
    for (let i = 1; i <= 25; i++) await post({ name: `item ${i}` });
    const res = await app.inject('/items');
    expect(res.statusCode).toBe(200);
    const names = res.json().map((i: { name: string }) => i.name);
    expect(names).toHaveLength(20);
    expect(names[0]).toBe('item 25');
    expect(names[19]).toBe('item 6');
  });

  it('pages with limit and offset', async () => {
    for (let i = 1; i <= 5; i++) await post({ name: `item ${i}` });
    const res = await app.inject('/items?limit=2&offset=1');
    expect(res.json().map((i: { name: string }) => i.name)).toEqual(['item 4', 'item 3']);
    expect((await app.inject('/items?limit=100&offset=0')).statusCode).toBe(200);
    expect((await app.inject('/items?offset=50')).json()).toEqual([]);
  });

  it.each([
    'limit=0',
    'limit=101',
    'limit=-1',
    'limit=abc',
    'limit=1.5',
    'limit=',
    'limit=1e1',
    'limit=1&limit=2',
    'offset=-1',
    'offset=abc',
    'offset=1.5',
    'offset=',
  ])('rejects ?%s with 400', async (query) => {
    const res = await app.inject(`/items?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });
});

describe('/items/:id', () => {
  it('gets, replaces and deletes an item', async () => {
    const created = (await post({ name: 'old', description: 'd' })).json();
    const url = `/items/${created.id}`;

    const got = await app.inject(url);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);

    const put = await app.inject({ method: 'PUT', url, payload: { name: 'new' } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ id: created.id, name: 'new', description: null, createdAt: created.createdAt });
    expect(put.json().updatedAt > created.updatedAt).toBe(true);

    const del = await app.inject({ method: 'DELETE', url });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect((await app.inject(url)).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url })).statusCode).toBe(404);
  });

  it('rejects an invalid PUT body with 400', async () => {
    const created = (await post({ name: 'a' })).json();
    const res = await app.inject({ method: 'PUT', url: `/items/${created.id}`, payload: { name: '' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });

  it.each(['GET', 'PUT', 'DELETE'] as const)('answers %s on a missing item with a JSON 404', async (method) => {
    const res = await app.inject({
      method,
      url: '/items/999',
      ...(method === 'PUT' ? { payload: { name: 'a' } } : {}),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });
});

describe('errors', () => {
  it('answers unknown paths and methods with a JSON 404', async () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['PATCH', '/items/1'],
      ['DELETE', '/items'],
    ] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ error: expect.any(String) });
    }
  });

  it('never leaks the cause of a 500', async () => {
    repository.list = async () => {
      throw new Error('syntax error at or near "SELEC" in SELECT * FROM items');
    };
    const res = await app.inject('/items');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Internal server error' });
    expect(res.body).not.toMatch(/SELECT|at .*\.ts/);
  });

  it('answers 503 when the database is unavailable, without the cause', async () => {
    repository.list = async () => {
      throw new DatabaseUnavailableError(new Error('timeout exceeded when trying to connect to 10.0.0.5'));
    };
    const res = await app.inject('/items');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: expect.any(String) });
    expect(res.body).not.toMatch(/timeout|10\.0/);
  });

  it('closes the repository when the app closes', async () => {
    await app.close();
    expect(repository.closed).toBe(true);
  });
});
