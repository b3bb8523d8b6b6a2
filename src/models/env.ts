import type { DatabaseSpec } from '../databases/types.js';
import { localCredentials, type ProjectContext } from './context.js';

/** Secrets are only ever written to `.env`; `.env.example` carries placeholders. */
export interface Secrets {
  [name: string]: string;
}

/** The `.env` secrets a database needs: its app user's password, and any extra ones. */
export function secretNames(db: DatabaseSpec): string[] {
  return ['DB_PASSWORD', ...db.extraSecrets];
}

function envLines(ctx: ProjectContext, secrets: Secrets): string[] {
  const password = secrets.DB_PASSWORD ?? '';
  return [
    ...secretNames(ctx.db).map((n) => `${n}=${secrets[n] ?? ''}`),
    `DATABASE_URL=${ctx.db.url(localCredentials(ctx, password))}`,
    '# Tests use TEST_DATABASE_URL when set, else DATABASE_URL.',
    '# TEST_DATABASE_URL=',
    `PORT=${ctx.lang.defaultPort}`,
    'LOG_LEVEL=info',
  ];
}

export function envExample(ctx: ProjectContext): string {
  const placeholders = Object.fromEntries(secretNames(ctx.db).map((n) => [n, 'change-me']));
  return [
    '# Copy to .env and fill in. Variables set in the environment win over .env.',
    ...envLines(ctx, placeholders),
    '',
  ].join('\n');
}

export function envFile(ctx: ProjectContext, secrets: Secrets): string {
  return [
    '# Generated for this checkout only, with random passwords. Never commit it (.gitignore lists it).',
    '# docker-compose.yml reads it too. Variables set in the environment win over this file.',
    ...envLines(ctx, secrets),
    '',
  ].join('\n');
}
