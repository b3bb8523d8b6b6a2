import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads `.env` into `env` without overriding anything already set, so a variable
 * exported in the shell, by CI or by docker-compose always wins over the file.
 */
export function loadDotenv(path = '.env', env: NodeJS.ProcessEnv = process.env): void {
  if (!existsSync(path)) return;
  for (const [key, value] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) {
    if (env[key] === undefined) env[key] = value;
  }
}

/** Validates the environment once at start-up, with messages that say what to fix. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = requireDatabaseUrl(env);
  const rawPort = env.PORT || '3000';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) {
    throw new Error(`PORT must be a port number (0-65535), got ${JSON.stringify(rawPort)}`);
  }
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env.LOG_LEVEL)}`);
  }
  // All interfaces by default, so the service is reachable from outside a container.
  return { port, host: env.HOST || '0.0.0.0', databaseUrl, logLevel };
}

export function requireDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL;
  if (!url) {
    throw new Error('DATABASE_URL is not set: export it, or copy .env.example to .env and fill it in');
  }
  return url;
}

/** Tests use TEST_DATABASE_URL when set, else DATABASE_URL. */
export function testDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.TEST_DATABASE_URL || env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'Integration tests need a database: set TEST_DATABASE_URL or DATABASE_URL (e.g. in .env, then `make up`)',
    );
  }
  return url;
}
