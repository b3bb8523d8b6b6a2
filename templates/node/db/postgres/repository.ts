import pg from 'pg';
import type { Item, ItemInput, ItemRepository } from '../items.ts';

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

export function createRepository(url: string): ItemRepository {
  // The pool connects on first use, so the service starts while the database is down.
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 2000, max: 10 });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);

  return {
    async list(limit, offset) {
      const { rows } = await pool.query<ItemRow>(
        `SELECT ${COLUMNS} FROM items ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
        [limit, offset],
      );
      return rows.map(toItem);
    },

    async get(rawId) {
      const id = parseId(rawId);
      if (id === null) return null;
      const { rows } = await pool.query<ItemRow>(`SELECT ${COLUMNS} FROM items WHERE id = $1`, [id]);
      return rows[0] ? toItem(rows[0]) : null;
    },

    async create(input: ItemInput) {
      const { rows } = await pool.query<ItemRow>(
        `INSERT INTO items (name, description) VALUES ($1, $2) RETURNING ${COLUMNS}`,
        [input.name, input.description],
      );
      return toItem(rows[0] as ItemRow);
    },

    async update(rawId, input) {
      const id = parseId(rawId);
      if (id === null) return null;
      const { rows } = await pool.query<ItemRow>(
        `UPDATE items SET name = $1, description = $2, updated_at = now() WHERE id = $3 RETURNING ${COLUMNS}`,
        [input.name, input.description, id],
      );
      return rows[0] ? toItem(rows[0]) : null;
    },

    async remove(rawId) {
      const id = parseId(rawId);
      if (id === null) return false;
      const { rowCount } = await pool.query('DELETE FROM items WHERE id = $1', [id]);
      return rowCount === 1;
    },

    async ping() {
      await pool.query('SELECT 1');
    },

    // The schema belongs to migrations (`make migrate`), not to start-up.
    async init() {},

    async close() {
      await pool.end();
    },
  };
}
