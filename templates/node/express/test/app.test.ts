import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BODY_LIMIT, buildApp } from '../src/app.ts';
import { DatabaseUnavailableError } from '../src/items.ts';
import { listen, type TestServer, testLog } from './http.ts';
import { MemoryRepository } from './memory-repository.ts';

// Unit tests of the HTTP layer: validation, paging, status codes and error shapes,
// against an in-memory repository. test/items.integration.test.ts repeats the
// round trips against the real database.

let repository: MemoryRepository;
let server: TestServer;

beforeEach(async () => {
  repository = new MemoryRepository();
  server = await listen(buildApp({ repository, log: testLog }));
});

afterEach(async () => {
  await server.close();
});

const get = (path: string) => server.request('GET', path);
const post = (payload: unknown, headers: Record<string, string> = {}) =>
  server.request('POST', '/items', payload, headers);

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
    const hanging = await listen(buildApp({ repository: stuck, log: testLog, healthTimeoutMs: 50 }));
    try {
      expect((await hanging.request('GET', '/health')).status).toBe(503);
    } finally {
      await hanging.close();
    }
  });

  it('/health/live answers without asking the database', async () => {
    repository.healthy = false;
    repository.ping = () => Promise.reject(new Error('must not be called'));
    const res = await get('/health/live');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /openapi.json', () => {
  it('describes every route of the contract', async () => {
    const res = await get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(Object.keys(doc.paths['/items'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/items/{id}'])).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/health/live']));
    expect(doc.components.schemas.ItemInput.properties.name).toMatchObject({ minLength: 1, maxLength: 200 });
  });
});

describe('POST /items', () => {
  it('stores an item and returns it with id and timestamps', async () => {
    const res = await post({ name: 'first', description: 'a thing' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
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
    ['an empty body', ''],
    ['a lone surrogate', '{"name": "\\ud800"}'],
    ['a NUL character', '{"name": "a\\u0000b"}'],
    ['nesting deeper than 64', `{"name": "a", "x": ${'['.repeat(70)}${']'.repeat(70)}}`],
    ['invalid UTF-8', new Uint8Array([...Buffer.from('{"name": "'), 0xff, 0xfe, ...Buffer.from('"}')])],
  ])('rejects %s with 400', async (_, payload) => {
    const res = await post(payload);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });

  it('says what is wrong without echoing parser internals', async () => {
    expect((await post('{"name": ')).json()).toEqual({ error: 'request body is not valid JSON' });
    expect((await post({ name: '' })).json().error).toMatch(/name/);
  });

  it('parses the body as JSON whatever the Content-Type says', async () => {
    expect((await post({ name: 'a' }, { 'content-type': 'text/plain' })).status).toBe(201);
    expect((await post('name=a', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(400);
  });

  it('rejects a body over 1 MiB with 413, with or without a Content-Length', async () => {
    const big = JSON.stringify({ name: 'a', description: 'x'.repeat(BODY_LIMIT) });
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({ error: expect.any(String) });
    // Chunked: no length announced, so the limit is enforced while the bytes arrive.
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
        controller.close();
      },
    });
    const streamed = await fetch(`${server.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toEqual({ error: expect.any(String) });
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

    const put = await server.request('PUT', path, { name: 'new' });
    expect(put.status).toBe(200);
    expect(put.json()).toMatchObject({ id: created.id, name: 'new', description: null, createdAt: created.createdAt });
    expect(put.json().updatedAt > created.updatedAt).toBe(true);

    const del = await server.request('DELETE', path);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await get(path)).status).toBe(404);
    expect((await server.request('DELETE', path)).status).toBe(404);
  });

  it('rejects an invalid PUT body with 400', async () => {
    const created = (await post({ name: 'a' })).json();
    const res = await server.request('PUT', `/items/${created.id}`, { name: '' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });

  it.each(['GET', 'PUT', 'DELETE'] as const)('answers %s on a missing item with a JSON 404', async (method) => {
    const res = await server.request(method, '/items/999', method === 'PUT' ? { name: 'a' } : undefined);
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: expect.any(String) });
  });
});

describe('errors', () => {
  it('answers unknown paths with a JSON 404', async () => {
    for (const path of ['/nope', '/items/1/extra', '/items/']) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ error: expect.any(String) });
    }
  });

  it('answers methods a path does not serve with a JSON 405 and Allow', async () => {
    for (const [method, path, allow] of [
      ['PATCH', '/items/1', 'GET, HEAD, PUT, DELETE'],
      ['DELETE', '/items', 'GET, HEAD, POST'],
      ['POST', '/health', 'GET, HEAD'],
    ] as const) {
      const res = await server.request(method, path);
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(res.json()).toEqual({ error: expect.any(String) });
    }
  });

  it('answers undecodable percent-escapes in the path with a JSON 400', async () => {
    for (const path of ['/items/%E0%A4%A', '/items/%ZZ']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await server.request(method, path, method === 'PUT' ? { name: 'a' } : undefined);
        expect(res.status).toBe(400);
        expect(res.json()).toEqual({ error: 'request path has an undecodable percent-escape' });
      }
    }
  });

  it('answers 503 when the database is unavailable, without its details', async () => {
    repository.list = async () => {
      throw new DatabaseUnavailableError(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
    };
    const res = await get('/items');
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({ error: 'Database unavailable, try again later' });
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
});
