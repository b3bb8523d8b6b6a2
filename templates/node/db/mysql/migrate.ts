import mysql from 'mysql2/promise';
import { migrationFiles } from './migration-files.ts';
import { connectionOptions } from './repository.ts';

const LOCK_NAME = 'schema_migrations';
const LOCK_WAIT_SECONDS = 60;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order. MySQL
 * commits DDL implicitly, so a migration cannot be rolled back: keep one change per
 * file. A named lock makes concurrent runs (two containers starting) wait, not collide.
 * Returns the versions it applied.
 */
export async function migrate(url: string): Promise<string[]> {
  // Migration files are trusted and may hold several statements; the app's pool never allows that.
  const connection = await mysql.createConnection({ uri: url, ...connectionOptions, multipleStatements: true });
  try {
    await connection.query("SET time_zone = '+00:00'");
    const [[lock]] = await connection.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [
      LOCK_NAME,
      LOCK_WAIT_SECONDS,
    ]);
    if (lock?.got !== 1) throw new Error(`another migration held the lock for ${LOCK_WAIT_SECONDS} s`);
    await connection.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version VARCHAR(255) NOT NULL PRIMARY KEY,
         applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
       )`,
    );
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => String(r.version)));
    const applied: string[] = [];
    for (const file of await migrationFiles()) {
      if (done.has(file.version)) continue;
      try {
        await connection.query(file.sql);
      } catch (err) {
        throw new Error(`${file.version}: ${err instanceof Error ? err.message : String(err)}`);
      }
      await connection.execute('INSERT INTO schema_migrations (version) VALUES (?)', [file.version]);
      applied.push(file.version);
    }
    return applied;
  } finally {
    // Ending the session releases the named lock too.
    await connection.end();
  }
}
