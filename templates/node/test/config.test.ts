import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDotenv, readConfig, testDatabaseUrl } from '../src/config.ts';

function dotenv(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'env-')), '.env');
  writeFileSync(file, text);
  return file;
}

describe('loadDotenv', () => {
  it('fills in variables that are not set, and never overrides those that are', () => {
    const env: NodeJS.ProcessEnv = { PORT: '4000' };
    loadDotenv(dotenv('PORT=3000\nDATABASE_URL="postgres://u:p@h/d"\n# a comment\n'), env);
    expect(env).toEqual({ PORT: '4000', DATABASE_URL: 'postgres://u:p@h/d' });
  });

  it('does nothing when the file is missing', () => {
    const env: NodeJS.ProcessEnv = {};
    loadDotenv('/nonexistent/.env', env);
    expect(env).toEqual({});
  });
});

describe('readConfig', () => {
  const url = 'postgres://u:p@h/d';

  it('defaults PORT to 3000 and LOG_LEVEL to info', () => {
    expect(readConfig({ DATABASE_URL: url })).toEqual({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: url,
      logLevel: 'info',
    });
  });

  it('reads PORT and LOG_LEVEL', () => {
    expect(readConfig({ DATABASE_URL: url, PORT: '8080', LOG_LEVEL: 'DEBUG' })).toMatchObject({
      port: 8080,
      logLevel: 'debug',
    });
  });

  it('listens on HOST when set (the functional tests keep their server on 127.0.0.1)', () => {
    expect(readConfig({ DATABASE_URL: url, HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
  });

  it.each([
    [{}, /DATABASE_URL/],
    [{ DATABASE_URL: url, PORT: 'http' }, /PORT/],
    [{ DATABASE_URL: url, PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: url, LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});

describe('testDatabaseUrl', () => {
  it('prefers TEST_DATABASE_URL over DATABASE_URL', () => {
    expect(testDatabaseUrl({ DATABASE_URL: 'a', TEST_DATABASE_URL: 'b' })).toBe('b');
    expect(testDatabaseUrl({ DATABASE_URL: 'a' })).toBe('a');
    expect(() => testDatabaseUrl({})).toThrow(/TEST_DATABASE_URL/);
  });
});
