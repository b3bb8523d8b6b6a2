// `make migrate` and the container's start command run this before the server.
import { loadDotenv, requireDatabaseUrl } from './config.ts';
import { migrate } from './db/migrate.ts';

try {
  loadDotenv();
  const applied = await migrate(requireDatabaseUrl());
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
} catch (err) {
  console.error(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
