import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import type { Item } from '../src/items.ts';

/** Holds a lock on an item's row for `ms` in a transaction of its own, while `during` runs. */
export async function withRowLocked<T>(url: string, id: Item['id'], ms: number, during: () => Promise<T>): Promise<T> {
  const locker = await mysql.createConnection({ uri: url });
  try {
    await locker.beginTransaction();
    await locker.execute('SELECT id FROM items WHERE id = ? FOR UPDATE', [id]);
    const result = during();
    await sleep(ms);
    await locker.commit();
    return await result;
  } finally {
    await locker.end();
  }
}
