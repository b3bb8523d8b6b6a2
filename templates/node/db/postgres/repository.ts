import pg from 'pg';
import { DatabaseUnavailableError, type Item, type ItemInput, type ItemRepository } from '../items.ts';

interface ItemRow {
  id: string;
  name: string;
  description: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, description, created_at, updated_at';

/** Ids are BIGINT identities: anything but a positive integer cannot exist, so it is a 404. */
function parseId(raw: string): string | null {
  return /^[1-9]\d{0,17}$/.test(raw) ? raw : null;
}

function toItem(row: ItemRow): Item {
  return {
    // node-postgres returns BIGINT as a string to avoid precision loss; ids stay far below 2^53.
    id: Number(row.id),
    name: row.name,
    description: row.description,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface PoolOptions {
  /** Connections the pool opens at most. */
  size?: number;
  /**
   * How long a query waits for a pooled connection when every one is busy. Well above
   * what a busy moment costs, so load queues instead of failing; past it the answer is
   * 503. /health does not wait this long: it answers 503 after its own 2 s.
   */
  waitMs?: number;
  /** How long opening a new connection may take (a database that is down or hung). */
  connectTimeoutMs?: number;
  /** How long a query may go unanswered (a hung server) before it fails with 503 and its connection is dropped. */
  queryTimeoutMs?: number;
}

export const POOL_SIZE = 10;
export const POOL_WAIT_MS = 10_000;
export const CONNECT_TIMEOUT_MS = 2000;
export const QUERY_TIMEOUT_MS = 10_000;

export function createRepository(
  url: string,
  {
    size = POOL_SIZE,
    waitMs = POOL_WAIT_MS,
    connectTimeoutMs = CONNECT_TIMEOUT_MS,
    queryTimeoutMs = QUERY_TIMEOUT_MS,
  }: PoolOptions = {},
): ItemRepository {
  // node-postgres bounds a wait for a busy pool and a new connection's connect with one
  // setting; the pool's clients get their own, shorter connect bound.
  class Client extends pg.Client {
    constructor(config: pg.ClientConfig = {}) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
    }
  }
  // The pool connects on first use, so the service starts while the database is down.
  const pool = new pg.Pool({
    Client,
    connectionString: url,
    connectionTimeoutMillis: waitMs,
    max: size,
    // Client-side: a frozen server never sends the statement_timeout error either.
    query_timeout: queryTimeoutMs,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);

  /** A DatabaseError is the server rejecting the query; anything else means no usable connection. */
  async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await pool.query<R>(text, values);
    } catch (err) {
      throw err instanceof pg.DatabaseError ? err : new DatabaseUnavailableError(err);
    }
  }

  return {
    async list(limit, offset) {
      const { rows } = await query<ItemRow>(
        `SELECT ${COLUMNS} FROM items ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
        [limit, offset],
      );
      return rows.map(toItem);
    },

    async get(rawId) {
      const id = parseId(rawId);
      if (id === null) return null;
      const { rows } = await query<ItemRow>(`SELECT ${COLUMNS} FROM items WHERE id = $1`, [id]);
      return rows[0] ? toItem(rows[0]) : null;
    },

    async create(input: ItemInput) {
      const { rows } = await query<ItemRow>(
        `INSERT INTO items (name, description) VALUES ($1, $2) RETURNING ${COLUMNS}`,
        [input.name, input.description],
      );
      return toItem(rows[0] as ItemRow);
    },

    async update(rawId, input) {
      const id = parseId(rawId);
      if (id === null) return null;
      const { rows } = await query<ItemRow>(
        `UPDATE items SET name = $1, description = $2, updated_at = now() WHERE id = $3 RETURNING ${COLUMNS}`,
        [input.name, input.description, id],
      );
      return rows[0] ? toItem(rows[0]) : null;
    },

    async remove(rawId) {
      const id = parseId(rawId);
      if (id === null) return false;
      const { rowCount } = await query('DELETE FROM items WHERE id = $1', [id]);
      return rowCount === 1;
    },

    async ping() {
      await query('SELECT 1');
    },

    // The schema belongs to migrations (`make migrate`), not to start-up.
    async init() {},

    async close() {
      await pool.end();
    },
  };
}
