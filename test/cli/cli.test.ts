import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseIds } from '../../src/databases/index.js';
import { frameworkIds, languageIds } from '../../src/languages/index.js';
import { optionSchema } from '../../src/options/schema.js';
import { binPath, listTree, repoRoot, runCli, tempDir } from './run-cli.js';

const version = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;

describe('help and version', () => {
  it('--help lists every option, language and database from the schema', async () => {
    const r = await runCli(['--help'], { cwd: await tempDir() });
    expect(r.code).toBe(0);
    for (const o of optionSchema) {
      if (!('positional' in o && o.positional)) expect(r.stdout).toContain(`--${o.flag}`);
    }
    for (const id of [...languageIds, ...databaseIds]) expect(r.stdout).toContain(`"${id}"`);
    // Help wraps lines: compare with whitespace collapsed.
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const lang of languageIds) expect(help).toContain(`${lang}: ${frameworkIds(lang).join(', ')}`);
    expect(r.stdout).toContain('Exit codes: 0 success, 1 failure while generating, 2 usage error');
  });
  it('output piped into a reader that has already gone (| true) is not an error', async () => {
    const { spawnSync } = await import('node:child_process');
    // `true` exits without reading, so every write the CLI makes meets a closed pipe.
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${binPath}" --help | true`], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  it('--version prints the package version', async () => {
    const r = await runCli(['--version'], { cwd: await tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });
});

describe('usage errors exit 2 and write nothing', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no answers and no terminal', [], /missing <directory>, --lang node\|php\|python\|ruby, --db postgres\|mysql\|mongo/],
    ['an unknown database', ['x', '--db', 'sqlite', '--yes'], /Given: "sqlite", Choices: "postgres", "mysql", "mongo"/],
    ['an unknown language', ['x', '--lang', 'cobol', '--yes'], /Choices: "node", "php", "python", "ruby"/],
    [
      "another language's framework",
      ['x', '--lang', 'node', '--framework', 'django', '--yes'],
      /invalid value for --framework: "django" with --lang node\. Valid choices: fastify, express/,
    ],
    [
      'a framework of another language than the default',
      ['x', '--framework', 'fastapi', '--db', 'mysql', '--yes'],
      /"fastapi" with --lang node\. Valid choices: fastify, express/,
    ],
    [
      'a database the framework cannot reach (Django with MongoDB)',
      ['x', '--lang', 'python', '--framework', 'django', '--db', 'mongo', '--yes'],
      /--framework django cannot be used with --db mongo: .*MongoDB.*Choose --db postgres, --db mysql, or another framework/,
    ],
    ['an unknown flag', ['x', '--yes', '--colour'], /Unknown argument: colour/],
    ['a flag given twice', ['x', '--lang', 'node', '--lang', 'php', '--yes'], /--lang was given more than once/],
    ['an invalid --name', ['x', '--name', 'My API', '--yes'], /invalid project name "My API".*--name my-api/],
    ['a directory that yields no name', ['日本語', '--yes'], /cannot derive a project name.*--name/],
    ['an extra positional', ['a', 'b', '--yes'], /Unknown argument: b/],
    ['a value for a boolean', ['x', '--yes', '--git=maybe'], /--git takes no value/],
  ];
  it.each(cases)('%s', async (_label, args, message) => {
    const cwd = await tempDir();
    const r = await runCli(args, { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('without a terminal, prints a complete command to copy', async () => {
    const cwd = await tempDir();
    const r = await runCli(['my-api', '--lang', 'python'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing --db postgres|mysql|mongo');
    expect(r.stderr).toContain('npx create-backend-starter my-api --lang python --db postgres --yes');
  });

  it('with all required answers given, no --yes is needed', async () => {
    const cwd = await tempDir();
    const r = await runCli(['svc', '--lang', 'node', '--db', 'mysql', '--no-git'], { cwd });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(cwd, 'svc/Makefile'))).toBe(true);
  });
});

describe('generating', () => {
  it('writes the project, commits it, and prints the next steps', async () => {
    const cwd = await tempDir();
    const r = await runCli(['my-api', '--lang', 'node', '--db', 'postgres', '--yes'], {
      cwd,
      env: { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Created my-api \(Node\.js \+ PostgreSQL\)/);
    expect(r.stdout).toMatch(/Next:\n  cd my-api\n  make install\n  make up\n  make migrate\n  make test\n  make start/);
    const log = execFileSync('git', ['log', '--format=%s'], { cwd: path.join(cwd, 'my-api') }).toString();
    expect(log.trim()).toBe('Initial commit from create-backend-starter');
    const tracked = execFileSync('git', ['ls-files'], { cwd: path.join(cwd, 'my-api') }).toString().split('\n');
    expect(tracked).toContain('.env.example');
    expect(tracked).not.toContain('.env');
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: path.join(cwd, 'my-api') }).toString();
    expect(status).toBe('');
  });

  it('--dry-run lists the files and writes nothing', async () => {
    const cwd = await tempDir();
    const r = await runCli(['my-api', '--yes', '--dry-run'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run: would create my-api');
    expect(r.stdout).toMatch(/^  Makefile$/m);
    expect(r.stdout).toContain('Nothing was written.');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('--json prints exactly one JSON object on stdout, logs on stderr', async () => {
    const cwd = await tempDir();
    const r = await runCli(['svc', '--lang', 'ruby', '--db', 'mysql', '--yes', '--no-git', '--json'], { cwd });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({
      ok: true,
      dryRun: false,
      directory: path.join(cwd, 'svc'),
      answers: { lang: 'ruby', db: 'mysql', name: 'svc', git: false },
    });
    expect(result.files).toContain('Makefile');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('--json reports usage errors as JSON too, exit 2', async () => {
    const cwd = await tempDir();
    const r = await runCli(['svc', '--db', 'sqlite', '--yes', '--json'], { cwd });
    expect(r.code).toBe(2);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ ok: false, exitCode: 2 });
    expect(result.error).toContain('sqlite');
  });

  it('keeps hostile directory names inside the target and out of the shell', async () => {
    const cwd = await tempDir();
    const hostile = `it's "$(touch pwned)" \`touch pwned2\` ünï`;
    const r = await runCli([hostile, '--yes'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(cwd)).toEqual([hostile]);
    const answers = JSON.parse(await readFile(path.join(cwd, hostile, '.backend-starter.json'), 'utf8')).answers;
    expect(answers.name).toBe('it-s-touch-pwned-touch-pwned2-uni');
    expect(r.stdout).toContain(`cd 'it'\\''s "$(touch pwned)" \`touch pwned2\` ünï'`);
  });

  it('a relative ../ target is the user\'s choice and lands exactly there', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'inner'));
    const r = await runCli(['../sibling', '--yes', '--no-git'], { cwd: path.join(cwd, 'inner') });
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(cwd)).sort()).toEqual(['inner', 'sibling']);
    expect(await readdir(path.join(cwd, 'inner'))).toEqual([]);
  });
});

describe('--install', () => {
  async function fakeMake(exitCode: number): Promise<string> {
    const bin = await tempDir('fake-make');
    const { writeFile: write, chmod } = await import('node:fs/promises');
    // Records where it ran, then succeeds or fails as told.
    await write(path.join(bin, 'make'), `#!/bin/sh\necho "make $*" > "$PWD/.make-ran"\nexit ${exitCode}\n`);
    await chmod(path.join(bin, 'make'), 0o755);
    return `${bin}:${process.env.PATH}`;
  }

  it('runs make install in the new project', async () => {
    const cwd = await tempDir();
    const r = await runCli(['app', '--yes', '--no-git', '--install'], { cwd, env: { PATH: await fakeMake(0) } });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(path.join(cwd, 'app/.make-ran'), 'utf8')).toBe('make install\n');
    expect(r.stdout).not.toMatch(/^  make install$/m);
  });

  it('a failing install is exit 1, and the generated project stays', async () => {
    const cwd = await tempDir();
    const r = await runCli(['app', '--yes', '--no-git', '--install'], { cwd, env: { PATH: await fakeMake(3) } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/generated in .*app, but make install failed \(exit 3\)/);
    expect(existsSync(path.join(cwd, 'app/Makefile'))).toBe(true);
  });
});

describe('existing directories', () => {
  it('refuses a non-empty directory and leaves it untouched', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'app'));
    await writeFile(path.join(cwd, 'app/notes.txt'), 'mine');
    const r = await runCli(['app', '--yes'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/app is not empty.*--force/s);
    expect(await listTree(path.join(cwd, 'app'))).toEqual(['notes.txt']);
  });

  it('uses an existing empty directory', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'app'));
    const r = await runCli(['app', '--yes', '--no-git'], { cwd });
    expect(r.code).toBe(0);
    expect(await listTree(path.join(cwd, 'app'))).toContain('Makefile');
  });

  it('--force merges, keeping every file of the user\'s (changed ones as .orig)', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'app'));
    await writeFile(path.join(cwd, 'app/notes.txt'), 'mine');
    await writeFile(path.join(cwd, 'app/Makefile'), 'my own makefile\n');
    const r = await runCli(['app', '--yes', '--no-git', '--force'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(path.join(cwd, 'app/notes.txt'), 'utf8')).toBe('mine');
    expect(await readFile(path.join(cwd, 'app/Makefile.orig'), 'utf8')).toBe('my own makefile\n');
    expect(await readFile(path.join(cwd, 'app/Makefile'), 'utf8')).toContain('.DEFAULT_GOAL');
    expect(r.stderr).toContain('kept your previous file as Makefile.orig');
    expect((await readdir(cwd)).filter((n) => n.includes('staging'))).toEqual([]);
  });

  it('refuses a target that is a file', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'app'), 'x');
    const r = await runCli(['app', '--yes', '--force'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a directory');
  });
});

/** Run until the files are staged but not yet moved into place, then press Ctrl-C. */
async function interruptAfterStaging(cwd: string) {
  let sent = false;
  const r = await runCli(['app', '--yes', '--no-git'], {
    cwd,
    env: { CREATE_BACKEND_STARTER_TEST_HOOK: 'pause-before-move' },
    onStderr: (chunk, child) => {
      if (!sent && chunk.includes('paused before move')) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  return { r, sent };
}

describe('interrupted and failed runs leave nothing half-written', () => {
  it('Ctrl-C after staging: no target, no staging directory, exit 130', async () => {
    const cwd = await tempDir();
    const { r, sent } = await interruptAfterStaging(cwd);
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('nothing was written');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('Ctrl-C keeps an existing empty target as it was', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'app'));
    const { r } = await interruptAfterStaging(cwd);
    expect(r.code).toBe(130);
    expect(await readdir(cwd)).toEqual(['app']);
    expect(await readdir(path.join(cwd, 'app'))).toEqual([]);
  });

  it('a failure while generating exits 1 and leaves nothing', async () => {
    const cwd = await tempDir();
    const r = await runCli(['app', '--yes', '--no-git'], {
      cwd,
      env: { CREATE_BACKEND_STARTER_TEST_HOOK: 'fail-before-move' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('simulated failure');
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('git', () => {
  it('a missing git is a warning, not a crash', async () => {
    const cwd = await tempDir();
    const bin = await tempDir('nogit-bin');
    // A PATH with node and make but no git.
    const { symlink } = await import('node:fs/promises');
    await symlink(process.execPath, path.join(bin, 'node'));
    const r = await runCli(['app', '--yes'], { cwd, env: { PATH: bin } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: git was not found on PATH: skipped git init/);
    expect(existsSync(path.join(cwd, 'app/Makefile'))).toBe(true);
    expect(existsSync(path.join(cwd, 'app/.git'))).toBe(false);
  });

  it('a missing git identity is a warning; the repo is initialised with files staged', async () => {
    const cwd = await tempDir();
    const home = await tempDir('home');
    const r = await runCli(['app', '--yes'], {
      cwd,
      env: {
        HOME: home,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        // Stop git guessing an identity from the host name.
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'user.useConfigOnly',
        GIT_CONFIG_VALUE_0: 'true',
        GIT_AUTHOR_NAME: '',
        GIT_AUTHOR_EMAIL: '',
        GIT_COMMITTER_NAME: '',
        GIT_COMMITTER_EMAIL: '',
        EMAIL: '',
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: git has no user identity here/);
    const staged = execFileSync('git', ['diff', '--cached', '--name-only'], { cwd: path.join(cwd, 'app') }).toString();
    expect(staged).toContain('Makefile');
  });

  it('inside an existing repository, git init is skipped and it says so', async () => {
    const cwd = await tempDir();
    execFileSync('git', ['init', '-q'], { cwd });
    const r = await runCli(['services/app', '--yes'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/inside the existing git repository .*: skipped git init/);
    expect(existsSync(path.join(cwd, 'services/app/.git'))).toBe(false);
  });
});
