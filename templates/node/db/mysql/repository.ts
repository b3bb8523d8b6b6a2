import mysql, { type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { DatabaseUnavailableError, type Item, type ItemInput, type ItemRepository } from '../items.ts';

interface ItemRow extends RowDataPacket {
  id: number;
  name: string;
  description: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, description, created_at, updated_at';

/** Ids are AUTO_INCREMENT integers: anything but a positive integer cannot exist, so it is a 404. */
function parseId(raw: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}

function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * DATETIME(3) has no time zone. Every session runs in UTC (so CURRENT_TIMESTAMP(3)
 * defaults are UTC) and the driver reads and writes DATETIME as UTC (`timezone: 'Z'`).
 */
export const connectionOptions = {
  timezone: 'Z',
  connectTimeout: 2000,
  // Keep DECIMAL/BIGINT as numbers while they fit; ids never exceed 2^53.
  supportBigNumbers: true,
  bigNumberStrings: false,
} as const;

export interface PoolOptions {
  /** Connections the pool opens at most. */
  size?: number;
  /**
   * How long a query waits for a pooled connection when every one is busy (mysql2 itself
   * would wait forever). Well above what a busy moment costs, so load queues instead of
   * failing; past it the answer is 503. /health answers 503 after its own 2 s.
   */
  waitMs?: number;
  /** How long a query may go unanswered (a hung server) before it fails with 503 and its connection is dropped. */
  queryTimeoutMs?: number;
}

export const POOL_SIZE = 10;
export const POOL_WAIT_MS = 10_000;
export const QUERY_TIMEOUT_MS = 10_000;

export function createRepository(
  url: string,
  { size = POOL_SIZE, waitMs = POOL_WAIT_MS, queryTimeoutMs = QUERY_TIMEOUT_MS }: PoolOptions = {},
): ItemRepository {
  // The pool connects on first use, so the service starts while the database is down.
  const pool = mysql.createPool({ uri: url, connectionLimit: size, ...connectionOptions });
  // Emitted before the pool hands a new connection out, and commands on one connection
  // run in order, so this always precedes the connection's first real query.
  pool.pool.on('connection', (connection) => {
    connection.query("SET time_zone = '+00:00'", (err) => {
      // A connection that cannot be set to UTC would store wrong timestamps: drop it.
      if (err) connection.destroy();
    });
  });

  async function acquire(): Promise<PoolConnection> {
    const pending = pool.getConnection();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no pooled connection within ${waitMs} ms`)), waitMs);
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (err) {
      // A connection that comes free after the wait was given up goes straight back.
      pending.then(
        (connection) => connection.release(),
        () => undefined,
      );
      throw new DatabaseUnavailableError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs `work` on a pooled connection. mysql2 marks errors that cost the connection
   * (refused, lost) as fatal; a query past its `timeout` is not, but its answer is still
   * due on that connection, so the connection is dropped. Other errors are rejected queries.
   */
  async function run<T>(work: (connection: PoolConnection) => Promise<T>): Promise<T> {
    const connection = await acquire();
    try {
      const result = await work(connection);
      connection.release();
      return result;
    } catch (err) {
      const { fatal, code } = err as { fatal?: boolean; code?: string };
      if (code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
        connection.destroy();
        throw new DatabaseUnavailableError(err);
      }
      connection.release();
      throw fatal ? new DatabaseUnavailableError(err) : err;
    }
  }

  async function select(id: number): Promise<Item | null> {
    const [rows] = await run((c) =>
      c.execute<ItemRow[]>({ sql: `SELECT ${COLUMNS} FROM items WHERE id = ?`, timeout: queryTimeoutMs }, [id]),
    );
    return rows[0] ? toItem(rows[0]) : null;
  }

  return {
    async list(limit, offset) {
      // LIMIT/OFFSET are bound as strings: MySQL 8's prepared statements reject JS numbers there.
      const [rows] = await run((c) =>
        c.execute<ItemRow[]>(
          {
            sql: `SELECT ${COLUMNS} FROM items ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
            timeout: queryTimeoutMs,
          },
          [String(limit), String(offset)],
        ),
      );
      return rows.map(toItem);
    },

    async get(rawId) {
      const id = parseId(rawId);
      return id === null ? null : select(id);
    },

    async create(input: ItemInput) {
      const [result] = await run((c) =>
        c.execute<ResultSetHeader>(
          { sql: 'INSERT INTO items (name, description) VALUES (?, ?)', timeout: queryTimeoutMs },
          [input.name, input.description],
        ),
      );
      const item = await select(result.insertId);
      if (!item) throw new Error(`item ${result.insertId} vanished right after insert`);
      return item;
    },

    async update(rawId, input) {
      const id = parseId(rawId);
      if (id === null) return null;
      await run((c) =>
        c.execute(
          {
            sql: 'UPDATE items SET name = ?, description = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?',
            timeout: queryTimeoutMs,
          },
          [input.name, input.description, id],
        ),
      );
      // MySQL has no RETURNING; a missing row reads back as null, which is the 404.
      return select(id);
    },

    async remove(rawId) {
      const id = parseId(rawId);
      if (id === null) return false;
      const [result] = await run((c) =>
        c.execute<ResultSetHeader>({ sql: 'DELETE FROM items WHERE id = ?', timeout: queryTimeoutMs }, [id]),
      );
      return result.affectedRows === 1;
    },

    async ping() {
      await run((c) => c.query({ sql: 'SELECT 1', timeout: queryTimeoutMs }));
    },

    // The schema belongs to migrations (`make migrate`), not to start-up.
    async init() {},

    async close() {
      await pool.end();
    },
  };
}
