import { afterAll, describe, expect, it } from 'vitest';
import { del, get, post, put } from './http.ts';

// The items API over HTTP. Each test creates the items it needs and the suite deletes
// them at the end, so a shared development or staging database keeps its own data.

interface Item {
  id: number | string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
// Not an id on any database: not a positive integer, not an ObjectId.
const MALFORMED_IDS = ['abc', '0', '-1'];
const created: Item[] = [];

async function create(name: string, description?: string | null): Promise<Item> {
  const res = await post<Item>('/items', description === undefined ? { name } : { name, description });
  expect(res.status).toBe(201);
  created.push(res.body);
  return res.body;
}

/** The id of an item that existed: well-formed for the database, and certainly absent. */
async function deletedId(): Promise<Item['id']> {
  const item = await create('to be deleted');
  expect((await del(`/items/${item.id}`)).status).toBe(204);
  return item.id;
}

afterAll(async () => {
  for (const item of created) await del(`/items/${item.id}`);
});

describe('POST /items', () => {
  it('stores an item and answers it with its id and timestamps', async () => {
    const item = await create('first', 'with a description');
    expect(item).toEqual({
      id: expect.anything(),
      name: 'first',
      description: 'with a description',
      createdAt: expect.stringMatching(ISO_MS),
      updatedAt: item.createdAt,
    });
  });

  it('stores a missing description as null', async () => {
    expect((await create('no description')).description).toBeNull();
    expect((await create('null description', null)).description).toBeNull();
  });

  it('ignores unknown fields', async () => {
    const res = await post<Item>('/items', { name: 'extra', colour: 'blue' });
    expect(res.status).toBe(201);
    created.push(res.body);
    expect(res.body).not.toHaveProperty('colour');
  });

  it.each([
    ['malformed JSON', '{"name": '],
    ['a JSON array', '[]'],
    ['a JSON string', '"name"'],
    ['no name', {}],
    ['an empty name', { name: '' }],
    ['a name over 200 characters', { name: 'x'.repeat(201) }],
    ['a name that is not a string', { name: 42 }],
    ['a description that is not a string', { name: 'ok', description: 7 }],
  ])('is a JSON 400 for %s', async (_, body) => {
    const res = await post<{ error: string }>('/items', body);
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(res.body.error).toEqual(expect.any(String));
  });

  it('accepts a name of exactly 200 characters', async () => {
    expect((await create('x'.repeat(200))).name).toHaveLength(200);
  });

  it('is 413 for a body over 1 MiB', async () => {
    const res = await post('/items', { name: 'big', description: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.contentType).toMatch(/^application\/json/);
  });
});

describe('GET /items/:id', () => {
  it('answers a stored item', async () => {
    const item = await create('fetched', 'as stored');
    const res = await get<Item>(`/items/${item.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(item);
  });

  it('is a JSON 404 for an item that does not exist', async () => {
    const res = await get<{ error: string }>(`/items/${await deletedId()}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual(expect.any(String));
  });

  it.each(MALFORMED_IDS)('is 404 for the malformed id %s', async (id) => {
    expect((await get(`/items/${id}`)).status).toBe(404);
  });
});

describe('PUT /items/:id', () => {
  it('replaces name and description and moves updatedAt on', async () => {
    const item = await create('before', 'old');
    const res = await put<Item>(`/items/${item.id}`, { name: 'after' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: item.id, name: 'after', description: null, createdAt: item.createdAt });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(item.updatedAt));
    expect((await get(`/items/${item.id}`)).body).toEqual(res.body);
  });

  it('is 400 for an invalid body', async () => {
    const item = await create('kept');
    expect((await put(`/items/${item.id}`, { name: '' })).status).toBe(400);
    expect((await get<Item>(`/items/${item.id}`)).body.name).toBe('kept');
  });

  it('is 404 for an item that does not exist', async () => {
    expect((await put(`/items/${await deletedId()}`, { name: 'ghost' })).status).toBe(404);
  });

  it.each(MALFORMED_IDS)('is 404 for the malformed id %s', async (id) => {
    expect((await put(`/items/${id}`, { name: 'ghost' })).status).toBe(404);
  });
});

describe('DELETE /items/:id', () => {
  it('removes the item: 204, then 404', async () => {
    const item = await create('short-lived');
    const res = await del(`/items/${item.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect((await get(`/items/${item.id}`)).status).toBe(404);
    expect((await del(`/items/${item.id}`)).status).toBe(404);
  });

  it.each(MALFORMED_IDS)('is 404 for the malformed id %s', async (id) => {
    expect((await del(`/items/${id}`)).status).toBe(404);
  });
});

describe('GET /items', () => {
  it('lists the newest first, paged by limit and offset', async () => {
    const [a, b, c] = [await create('page a'), await create('page b'), await create('page c')];
    const firstThree = await get<Item[]>('/items?limit=3');
    expect(firstThree.status).toBe(200);
    expect(firstThree.body.map((i) => i.id)).toEqual([c?.id, b?.id, a?.id]);
    const second = await get<Item[]>('/items?limit=1&offset=1');
    expect(second.body.map((i) => i.id)).toEqual([b?.id]);
  });

  it('defaults to 20 items', async () => {
    for (let n = 0; n < 21; n++) await create(`filler ${n}`);
    expect((await get<Item[]>('/items')).body).toHaveLength(20);
  });

  it.each([
    'limit=0',
    'limit=101',
    'limit=-1',
    'limit=abc',
    'limit=1.5',
    'limit=',
    'offset=-1',
    'offset=abc',
    'offset=1.5',
  ])('is a JSON 400 for %s', async (query) => {
    const res = await get<{ error: string }>(`/items?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(expect.any(String));
  });
});
