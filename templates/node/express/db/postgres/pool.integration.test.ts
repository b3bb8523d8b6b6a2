import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadDotenv, testDatabaseUrl } from '../src/config.ts';
import { migrate } from '../src/db/migrate.ts';
import { createRepository, POOL_WAIT_MS } from '../src/db/repository.ts';
import type { Item } from '../src/items.ts';
import { listen, type TestServer, testLog } from './http.ts';

// What a request does when every pooled connection is busy: it waits its turn, and only a
// wait past the pool's bound is a 503. Busy is made real: one transaction holds a row lock,
// and requests that need the row queue behind it, each holding a pooled connection.

loadDotenv();
const url = testDatabaseUrl();
let item: Item;

beforeAll(async () => {
  await migrate(url);
  const repository = createRepository(url);
  const server = await listen(buildApp({ repository, log: testLog }));
  item = (await server.request('POST', '/items', { name: 'pool: locked row' })).json();
  await server.close();
  await repository.close();
});

afterAll(async () => {
  const repository = createRepository(url);
  const server = await listen(buildApp({ repository, log: testLog }));
  await server.request('DELETE', `/items/${item.id}`);
  await server.close();
  await repository.close();
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

const put = (server: TestServer, name: string) => server.request('PUT', `/items/${item.id}`, { name });

/** The app on a pool of its own, closed after `run`. */
async function withApp<T>(options: Parameters<typeof createRepository>[1], run: (server: TestServer) => Promise<T>) {
  const repository = createRepository(url, options);
  const server = await listen(buildApp({ repository, log: testLog }));
  try {
    return await run(server);
  } finally {
    await server.close();
    await repository.close();
  }
}

describe('a busy pool', () => {
  it('answers every request that waited for a connection longer than a connect takes', async () => {
    expect(POOL_WAIT_MS).toBeGreaterThan(3000);
    await withApp({ size: 2 }, async (server) => {
      // Two requests block on the lock inside the pool; four more wait 3 s for a connection.
      const responses = await withRowLocked(3000, () =>
        Promise.all(Array.from({ length: 6 }, (_, i) => put(server, `pool: wait ${i}`))),
      );
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    });
  });

  it('answers 503, not 500, once a request has waited past the bound', async () => {
    await withApp({ size: 1, waitMs: 300 }, async (server) => {
      const [first, second] = await withRowLocked(1500, () =>
        Promise.all([put(server, 'pool: holds the connection'), sleep(50).then(() => put(server, 'pool: gives up'))]),
      );
      expect(first.status).toBe(200);
      expect(second.status).toBe(503);
      expect(second.json()).toEqual({ error: expect.any(String) });
    });
  });
});
