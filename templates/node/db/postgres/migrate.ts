import pg from 'pg';
import { migrationFiles } from './migration-files.ts';

// Any constant works; it only has to be the same for every process migrating this database.
const LOCK_KEY = 727_001;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own
 * transaction together with its record, so a failure leaves nothing half-applied.
 * An advisory lock makes concurrent runs (two containers starting) wait, not collide.
 * Returns the versions it applied.
 */
export async function migrate(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version VARCHAR(255) PRIMARY KEY,
         applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: string }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: string[] = [];
    for (const file of await migrationFiles()) {
      if (done.has(file.version)) continue;
      await client.query('BEGIN');
      try {
        // Simple-query protocol (no parameters), so one file may hold several statements.
        await client.query(file.sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file.version]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`${file.version}: ${err instanceof Error ? err.message : String(err)}`);
      }
      applied.push(file.version);
    }
    return applied;
  } finally {
    // Closing the session releases the advisory lock too.
    await client.end();
  }
}
