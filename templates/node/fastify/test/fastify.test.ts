import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { MemoryRepository } from './memory-repository.ts';

// What Fastify's setup adds to the contract that test/app.test.ts holds every framework to.

let repository: MemoryRepository;
let app: ReturnType<typeof buildApp>;

beforeEach(() => {
  repository = new MemoryRepository();
  app = buildApp({ repository });
});

afterEach(async () => {
  await app.close();
});

it('has an interactive OpenAPI page at /docs', async () => {
  const res = await app.inject('/docs');
  expect(res.statusCode).toBeLessThan(400);
});

it('keeps the prototype-poisoning checks of its JSON parser', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/items',
    payload: '{"name": "a", "__proto__": {"x": 1}}',
    headers: { 'content-type': 'application/json' },
  });
  expect(res.statusCode).toBe(400);
  expect(repository.items).toEqual([]);
});

describe('errors', () => {
  it('answers methods no route serves with a JSON 404', async () => {
    for (const [method, url] of [
      ['PATCH', '/items/1'],
      ['DELETE', '/items'],
    ] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ error: expect.any(String) });
    }
  });

  it('closes the repository when the app closes', async () => {
    await app.close();
    expect(repository.closed).toBe(true);
  });
});
