import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDotenv, testDatabaseUrl } from '../src/config.ts';
import { migrate } from '../src/db/migrate.ts';
import { createRepository, POOL_SIZE, POOL_WAIT_MS } from '../src/db/repository.ts';
import type { Item } from '../src/items.ts';
import type { TestApp } from './http.ts';
import { withRowLocked } from './row-lock.ts';
import { serve } from './serve.ts';

// What a request does when every pooled connection is busy: it waits its turn, and only a
// wait past the pool's bound is a 503. Busy is made real: one transaction holds a row lock,
// and requests that need the row queue behind it, each holding a pooled connection.

loadDotenv();
const url = testDatabaseUrl();
let item: Item;

/** The app on a pool of its own, closed after `run`. */
async function withApp<T>(options: Parameters<typeof createRepository>[1], run: (app: TestApp) => Promise<T>) {
  const app = await serve({ repository: createRepository(url, options) });
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

beforeAll(async () => {
  await migrate(url);
  item = await withApp({}, async (app) => (await app.request('POST', '/items', { name: 'pool: locked row' })).json());
});

afterAll(async () => {
  await withApp({}, (app) => app.request('DELETE', `/items/${item.id}`));
});

const put = (app: TestApp, name: string) => app.request('PUT', `/items/${item.id}`, { name });

describe('a busy pool', () => {
  it('answers every request that waited seconds for a connection, as under a burst of normal load', async () => {
    const locked = 4000;
    expect(POOL_WAIT_MS).toBeGreaterThan(locked);
    // On the default pool: twice as many requests as connections, so half of them block on
    // the lock inside the pool and the other half wait the full 4 s for a connection.
    await withApp({}, async (app) => {
      const responses = await withRowLocked(url, item.id, locked, () =>
        Promise.all(Array.from({ length: 2 * POOL_SIZE }, (_, i) => put(app, `pool: wait ${i}`))),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(2 * POOL_SIZE).fill(200));
    });
  });

  it('answers 503, not 500, once a request has waited past the bound', async () => {
    await withApp({ size: 1, waitMs: 300 }, async (app) => {
      const [first, second] = await withRowLocked(url, item.id, 1500, () =>
        Promise.all([put(app, 'pool: holds the connection'), sleep(50).then(() => put(app, 'pool: gives up'))]),
      );
      expect(first.status).toBe(200);
      expect(second.status).toBe(503);
      expect(second.json()).toEqual({ error: expect.any(String) });
    });
  });
});
