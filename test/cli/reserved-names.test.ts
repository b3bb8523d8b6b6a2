import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './run-cli.js';

/**
 * Names that generate a project which then cannot install or run its own tests, each
 * seen failing: pip's ResolutionImpossible (the project named like one of its
 * requirements), a console script overwriting `.venv/bin/python`, Ruby's "Queue is not
 * a module", `lib/pg.rb` shadowing the driver, npm's refusal to install a dependency
 * named like the project.
 */
const refused: Array<[string, string[]]> = [
  ['python', ['fastapi', 'uvicorn', 'pytest', 'ruff', 'httpx2', 'psycopg', 'pymysql', 'pymongo', 'starlette', 'pydantic',
    'python', 'python3', 'pip', 'activate', 'django', 'flask']],
  ['ruby', ['queue', 'mutex', 'monitor', 'standard-error', 'runtime-error', 'argument-error', 'interrupt', 'nil-class',
    'true-class', 'trace-point', 'thread-group', 'condition-variable', 'refinement', 'pg', 'mysql2', 'stringio', 'tmpdir',
    'sinatra', 'rack']],
  ['node', ['fastify', 'pg', 'mysql2', 'mongodb', 'vitest', 'typescript', 'express']],
];

describe('names that would break the generated project are refused, with a suggestion', () => {
  it.each(refused.flatMap(([lang, names]) => names.map((n) => [lang, n] as const)))('%s: --name %s', async (lang, name) => {
    const cwd = await tempDir();
    const r = await runCli(['svc', '--lang', lang, '--name', name, '--yes', '--no-git'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the project name "${name}" cannot be used with`);
    expect(r.stderr).toContain(`--name ${name}-service`);
    expect(await readdir(cwd)).toEqual([]);
  });

  it.each([
    ['python', 'fastapi-app'],
    ['ruby', 'queue-service'],
    ['node', 'pg-api'],
  ])('%s: a near miss such as %s is accepted', async (lang, name) => {
    const cwd = await tempDir();
    const r = await runCli(['svc', '--lang', lang, '--name', name, '--yes', '--no-git', '--dry-run'], { cwd });
    expect(r.code, r.stderr).toBe(0);
  });
});
