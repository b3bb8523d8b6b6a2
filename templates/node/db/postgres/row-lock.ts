import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Item } from '../src/items.ts';

/** Holds a lock on an item's row for `ms` in a transaction of its own, while `during` runs. */
export async function withRowLocked<T>(url: string, id: Item['id'], ms: number, during: () => Promise<T>): Promise<T> {
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM items WHERE id = $1 FOR UPDATE', [id]);
    const result = during();
    await sleep(ms);
    await locker.query('COMMIT');
    return await result;
  } finally {
    await locker.end();
  }
}
