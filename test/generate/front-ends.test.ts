import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend, UsageError } from '../../src/index.js';
import { listTree, repoRoot, tempDir } from '../cli/run-cli.js';

const generatorPath = path.join(repoRoot, 'dist/generators/app/index.js');
/** `.env` files hold fresh random passwords on every run (the root one, and k8s/ overlays'). */
const isEnvFile = (f: string) => f === '.env' || f.endsWith('/.env');

describe('library API: createBackend', () => {
  it('generates like the CLI with --yes and reports what it wrote', async () => {
    const dir = path.join(await tempDir('lib'), 'lib-api');
    const result = await createBackend({ directory: dir, lang: 'python', db: 'mysql', git: false });
    expect(result.answers).toEqual({ lang: 'python', framework: 'fastapi', db: 'mysql', name: 'lib-api', ci: 'github', docker: true, kubernetes: true, git: false });
    expect(await listTree(dir)).toEqual([...result.files].sort());
    expect((await stat(path.join(dir, '.env'))).mode & 0o777).toBe(0o600);
  });

  it('throws UsageError for bad options and writes nothing', async () => {
    const parent = await tempDir('lib-bad');
    await expect(createBackend({ directory: path.join(parent, 'x'), db: 'sqlite' })).rejects.toBeInstanceOf(UsageError);
    expect(existsSync(path.join(parent, 'x'))).toBe(false);
  });
});

describe('Yeoman generator (generators/app)', () => {
  it('writes the same files as the library for the same answers', async () => {
    const { createEnv } = await import('yeoman-environment');
    const work = await tempDir('yo');
    const env = createEnv({ cwd: work, skipInstall: true } as never);
    env.register(generatorPath, { namespace: 'backend-starter:app' });
    await env.run(['backend-starter:app', 'yo-app', '--lang', 'ruby', '--db', 'postgres', '--yes', '--no-git']);

    const viaLib = path.join(await tempDir('yo-lib'), 'yo-app');
    await createBackend({ directory: viaLib, lang: 'ruby', db: 'postgres', git: false });

    const yoDir = path.join(work, 'yo-app');
    const files = await listTree(yoDir);
    expect(files).toEqual(await listTree(viaLib));
    for (const f of files.filter((f) => !isEnvFile(f))) {
      expect((await readFile(path.join(yoDir, f))).equals(await readFile(path.join(viaLib, f))), f).toBe(true);
    }
  });
});
