import { readdir, readFile } from 'node:fs/promises';

export interface MigrationFile {
  /** The file name without `.sql`, e.g. `0001_create_items`; recorded once applied. */
  version: string;
  sql: string;
}

// migrations/ sits at the project root, two levels above both src/db/ and dist/db/.
const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);

/** Every `migrations/NNNN_name.sql`, in version order. */
export async function migrationFiles(dir: URL = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => /^\d+_[\w-]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => ({
      version: name.slice(0, -'.sql'.length),
      sql: await readFile(new URL(name, dir), 'utf8'),
    })),
  );
}
