import type { DbCredentials, FileRule } from '../plan/types.js';

export interface DatabaseSpec {
  id: string;
  label: string;
  /** `sql` databases get versioned migrations; `document` ones ensure indexes at start-up. */
  family: 'sql' | 'document';
  /** The URL scheme of DATABASE_URL. */
  scheme: string;
  port: number;
  image: string;
  /** DATABASE_URL for these credentials. */
  url(c: DbCredentials): string;
  /** Extra secrets in `.env` beside DB_PASSWORD (e.g. MySQL's root password). */
  extraSecrets: string[];
  /** Environment of the official image, referencing `.env` variables as `${VAR}`. */
  containerEnv(database: string, user: string): Record<string, string>;
  /** Where the official image keeps its data (the named volume mounts here). */
  dataPath: string;
  /** The official image's unprivileged user and where it writes besides `dataPath` (Kubernetes). */
  container: { uid: number; gid: number; writablePaths: string[] };
  /** Healthcheck command for compose, exec form. */
  healthcheck: string[];
  /** Same probe as a shell command, for GitHub service containers' --health-cmd. */
  healthcheckShell: string;
  /** Versioned SQL migrations shared by languages that run plain SQL files. */
  sqlMigrations: FileRule[];
}
