import type { DatabaseSpec } from '../databases/types.js';
import type { Connector, LanguageSpec } from '../languages/types.js';
import type { Answers, DbCredentials, ProjectNames } from '../plan/types.js';

/** Everything the structured models and templates are built from. */
export interface ProjectContext {
  answers: Answers;
  names: ProjectNames;
  lang: LanguageSpec;
  db: DatabaseSpec;
  connector: Connector;
  generatorVersion: string;
  /** The database user the project's own containers create. */
  dbUser: string;
}

/** Host-side credentials (from `.env`, against `make up`'s published port). */
export function localCredentials(ctx: ProjectContext, password: string): DbCredentials {
  return {
    user: ctx.dbUser,
    password,
    host: 'localhost',
    port: ctx.db.port,
    database: ctx.names.snake,
  };
}
