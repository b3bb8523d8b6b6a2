import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../src/items.ts';
import { BODY_LIMIT, MAX_DEPTH } from '../src/strict-json.ts';
import type { TestApp } from './http.ts';
import { MemoryRepository } from './memory-repository.ts';
import { serve } from './serve.ts';

// Unit tests of the HTTP layer: validation, paging, status codes and error shapes, against
// an in-memory repository. test/items.integration.test.ts repeats the round trips against
// the real database; what only this framework's setup does is tested next to it.

let repository: MemoryRepository;
let app: TestApp;

beforeEach(async () => {
  repository = new MemoryRepository();
  app = await serve({ repository });
});

afterEach(async () => {
  await app.close();
});

const get = (path: string) => app.request('GET', path);
const post = (payload: unknown, headers: Record<string, string> = {}) =>
  app.request('POST', '/items', payload, headers);

describe('GET /health', () => {
  it('is 200 when the database answers', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'up' });
  });

  it('is 503 when it does not', async () => {
    repository.healthy = false;
    const res = await get('/health');
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({ status: 'error', database: 'down' });
  });

  it('is 503 when the database hangs', async () => {
    const stuck = new MemoryRepository();
    stuck.ping = () => new Promise(() => {});
    const hanging = await serve({ repository: stuck, healthTimeoutMs: 50 });
    try {
      expect((await hanging.request('GET', '/health')).status).toBe(503);
    } finally {
      await hanging.close();
    }
  });
});

describe('GET /health/live', () => {
  it('is 200 without asking the database', async () => {
    repository.healthy = false;
    repository.ping = () => Promise.reject(new Error('must not be called'));
    const res = await get('/health/live');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /openapi.json', () => {
  it('describes every route of the contract, and only those', async () => {
    const res = await get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/health/live', '/items', '/items/{id}']);
    expect(Object.keys(doc.paths['/items']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/items/{id}']).sort()).toEqual(['delete', 'get', 'put']);
    expect(doc.paths['/items'].post.responses).toHaveProperty('201');
  });
});

describe('POST /items', () => {
  it('stores an item and returns it with id and timestamps', async () => {
    const res = await post({ name: 'first', description: 'a thing' });
    expect(res.status).toBe(201);
    expect(res.header('content-type')).toMatch(/^application\/json/);
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
    expect(res.status).toBe(201);
    expect(res.json()).not.toHaveProperty('extra');
    expect(res.json().description).toBeNull();
  });

  it('accepts a 200-character name, counted in characters not bytes or UTF-16 units', async () => {
    expect((await post({ name: 'é'.repeat(200) })).status).toBe(201);
    expect((await post({ name: '😀'.repeat(200) })).status).toBe(201);
  });

  it.each([
    ['a missing name', { description: 'x' }],
    ['an empty name', { name: '' }],
    ['a 201-character name', { name: 'x'.repeat(201) }],
    ['a 201-emoji name', { name: '😀'.repeat(201) }],
    ['a number as name', { name: 5 }],
    ['null as name', { name: null }],
    ['a number as description', { name: 'a', description: 5 }],
    ['an array body', [{ name: 'a' }]],
    ['a string body', JSON.stringify('a')],
    ['a null body', 'null'],
    ['invalid JSON', '{"name": '],
    ['a bare word', 'a'],
    ['an empty body', ''],
  ])('rejects %s with 400', async (_, payload) => {
    const res = await post(payload);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
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
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
    expect(repository.items).toEqual([]);
  });

  it('accepts well-formed surrogate pairs and nesting up to the limit', async () => {
    const res = await post(
      `{"name": "\\ud83d\\ude80", "extra": ${'['.repeat(MAX_DEPTH - 1)}${']'.repeat(MAX_DEPTH - 1)}}`,
    );
    expect(res.status).toBe(201);
    expect(res.json().name).toBe('🚀');
  });

  it('parses the body as JSON whatever the Content-Type says', async () => {
    expect((await post({ name: 'a' }, { 'content-type': 'text/plain' })).status).toBe(201);
    expect((await post('name=a', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(400);
  });

  it('rejects a body over 1 MiB with 413', async () => {
    const res = await post({ name: 'a', description: 'x'.repeat(BODY_LIMIT) });
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });

  it('accepts a body of exactly 1 MiB', async () => {
    const head = '{"name": "a", "description": "';
    const body = `${head}${'x'.repeat(BODY_LIMIT - head.length - 2)}"}`;
    expect(Buffer.byteLength(body)).toBe(BODY_LIMIT);
    expect((await post(body)).status).toBe(201);
  });
});

describe('GET /items', () => {
  it('lists newest first, 20 by default', async () => {
    for (let i = 1; i <= 25; i++) await post({ name: `item ${i}` });
    const res = await get('/items');
    expect(res.status).toBe(200);
    const names = res.json().map((i: { name: string }) => i.name);
    expect(names).toHaveLength(20);
    expect(names[0]).toBe('item 25');
    expect(names[19]).toBe('item 6');
  });

  it('pages with limit and offset', async () => {
    for (let i = 1; i <= 5; i++) await post({ name: `item ${i}` });
    const res = await get('/items?limit=2&offset=1');
    expect(res.json().map((i: { name: string }) => i.name)).toEqual(['item 4', 'item 3']);
    expect((await get('/items?limit=100&offset=0')).status).toBe(200);
    expect((await get('/items?offset=50')).json()).toEqual([]);
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
    `limit=${'9'.repeat(5000)}`,
    'offset=-1',
    'offset=abc',
    'offset=1.5',
    'offset=',
  ])('rejects ?%s with 400', async (query) => {
    const res = await get(`/items?${query}`);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });
});

describe('/items/:id', () => {
  it('gets, replaces and deletes an item', async () => {
    const created = (await post({ name: 'old', description: 'd' })).json();
    const path = `/items/${created.id}`;

    const got = await get(path);
    expect(got.status).toBe(200);
    expect(got.json()).toEqual(created);

    const put = await app.request('PUT', path, { name: 'new' });
    expect(put.status).toBe(200);
    expect(put.json()).toMatchObject({ id: created.id, name: 'new', description: null, createdAt: created.createdAt });
    expect(put.json().updatedAt > created.updatedAt).toBe(true);

    const del = await app.request('DELETE', path);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await get(path)).status).toBe(404);
    expect((await app.request('DELETE', path)).status).toBe(404);
  });

  it('rejects an invalid PUT body with 400', async () => {
    const created = (await post({ name: 'a' })).json();
    const res = await app.request('PUT', `/items/${created.id}`, { name: '' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });

  it.each(['GET', 'PUT', 'DELETE'] as const)('answers %s on a missing item with a JSON 404', async (method) => {
    const res = await app.request(method, '/items/999', method === 'PUT' ? { name: 'a' } : undefined);
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });
});

describe('errors', () => {
  it('answers unknown paths with a JSON 404', async () => {
    for (const path of ['/nope', '/items/1/extra']) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.header('content-type')).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ error: expect.any(String) });
    }
  });

  it('answers undecodable percent-escapes in the path with a JSON 4xx, not a 500', async () => {
    for (const path of ['/items/%E0%A4%A', '/items/%ZZ', '/items/%ff']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await app.request(method, path, method === 'PUT' ? { name: 'a' } : undefined);
        expect([400, 404]).toContain(res.status);
        expect(res.json()).toEqual({ error: expect.any(String) });
      }
    }
  });

  it('never leaks the cause of a 500', async () => {
    repository.list = async () => {
      throw new Error('syntax error at or near "SELEC" in SELECT * FROM items');
    };
    const res = await get('/items');
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({ error: 'Internal server error' });
    expect(res.text).not.toMatch(/SELECT|at .*\.ts/);
  });

  it('answers 503 when the database is unavailable, without its details', async () => {
    repository.list = async () => {
      throw new DatabaseUnavailableError(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
    };
    const res = await get('/items');
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({ error: 'Database unavailable, try again later' });
    expect(res.text).not.toMatch(/ECONNREFUSED|10\.0/);
  });
});
