import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadDotenv, testDatabaseUrl } from '../src/config.ts';
import { migrate } from '../src/db/migrate.ts';
import { createRepository, POOL_WAIT_MS } from '../src/db/repository.ts';
import type { Item } from '../src/items.ts';

// What a request does when every pooled connection is busy: it waits its turn, and only a
// wait past the pool's bound is a 503. Busy is made real: one transaction holds a row lock,
// and requests that need the row queue behind it, each holding a pooled connection.

loadDotenv();
const url = testDatabaseUrl();
let item: Item;

beforeAll(async () => {
  await migrate(url);
  const app = buildApp({ repository: createRepository(url) });
  item = (await app.inject({ method: 'POST', url: '/items', payload: { name: 'pool: locked row' } })).json<Item>();
  await app.close();
});

afterAll(async () => {
  const app = buildApp({ repository: createRepository(url) });
  await app.inject({ method: 'DELETE', url: `/items/${item.id}` });
  await app.close();
});

/** Holds a lock on the item's row for `ms`, while `during` runs. */
async function withRowLocked<T>(ms: number, during: () => Promise<T>): Promise<T> {
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM items WHERE id = $1 FOR UPDATE', [item.id]);
    const result = during();
    await sleep(ms);
    await locker.query('COMMIT');
    return await result;
  } finally {
    await locker.end();
  }
}

const put = (app: ReturnType<typeof buildApp>, name: string) =>
  app.inject({ method: 'PUT', url: `/items/${item.id}`, payload: { name } });

describe('a busy pool', () => {
  it('answers every request that waited for a connection longer than a connect takes', async () => {
    expect(POOL_WAIT_MS).toBeGreaterThan(3000);
    const app = buildApp({ repository: createRepository(url, { size: 2 }) });
    try {
      // Two requests block on the lock inside the pool; four more wait 3 s for a connection.
      const responses = await withRowLocked(3000, () =>
        Promise.all(Array.from({ length: 6 }, (_, i) => put(app, `pool: wait ${i}`))),
      );
      expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    } finally {
      await app.close();
    }
  });

  it('answers 503, not 500, once a request has waited past the bound', async () => {
    const app = buildApp({ repository: createRepository(url, { size: 1, waitMs: 300 }) });
    try {
      const [first, second] = await withRowLocked(1500, () =>
        Promise.all([put(app, 'pool: holds the connection'), sleep(50).then(() => put(app, 'pool: gives up'))]),
      );
      expect(first.statusCode).toBe(200);
      expect(second.statusCode).toBe(503);
      expect(second.json()).toEqual({ error: expect.any(String) });
    } finally {
      await app.close();
    }
  });
});
