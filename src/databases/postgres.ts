import { images } from '../versions.js';
import type { DatabaseSpec } from './types.js';

export const postgres = {
  id: 'postgres',
  label: 'PostgreSQL',
  family: 'sql',
  scheme: 'postgres',
  port: 5432,
  image: images.postgres,
  url: (c) =>
    `postgres://${enc(c.user)}:${enc(c.password)}@${c.host}:${c.port}/${enc(c.database)}`,
  extraSecrets: [],
  containerEnv: (database, user) => ({
    POSTGRES_DB: database,
    POSTGRES_USER: user,
    POSTGRES_PASSWORD: '${DB_PASSWORD}',
  }),
  // PostgreSQL 18 images keep PGDATA in a versioned directory below this one.
  dataPath: '/var/lib/postgresql',
  // The official image's `postgres` user (999 in the Debian- and Oracle-based images alike).
  container: { uid: 999, gid: 999, writablePaths: ['/var/run/postgresql', '/tmp'] },
  healthcheck: ['CMD-SHELL', 'pg_isready -U "$$POSTGRES_USER" -d "$$POSTGRES_DB"'],
  healthcheckShell: 'pg_isready',
  sqlMigrations: [
    { from: 'common/migrations/postgres/0001_create_items.sql', to: '0001_create_items.sql' },
  ],
} satisfies DatabaseSpec;

function enc(s: string): string {
  return encodeURIComponent(s);
}
