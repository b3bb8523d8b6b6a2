import { existsSync, readFileSync } from 'node:fs';
import { chmod, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from '../cli/run-cli.js';
import { fingerprint, generateOlder, gitIdentity as env, gitIn, read } from './support.js';

const version = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;

/** A project from the built CLI, as a user makes one, with one committed edit of theirs. */
async function generated(extra: string[] = [], name = 'my-api'): Promise<string> {
  const parent = await tempDir('update-cli');
  const r = await runCli([name, '--lang', 'node', '--db', 'postgres', '--yes', ...extra], { cwd: parent, env });
  expect(r.code, r.stderr).toBe(0);
  return path.join(parent, name);
}
async function editRoute(dir: string): Promise<void> {
  const app = await read(dir, 'src/app.ts');
  await writeFile(path.join(dir, 'src/app.ts'), app.replace("{ error: 'Item not found' }", "{ error: 'No such item' }"));
  gitIn(dir, 'commit', '--quiet', '-am', 'My 404 message');
}
const json = (stdout: string) => JSON.parse(stdout);

describe('update, tried as a user would', () => {
  it('generate records the first commit as the base', async () => {
    const dir = await generated();
    expect(gitIn(dir, 'rev-parse', 'refs/backend-starter/base')).toBe(gitIn(dir, 'rev-parse', 'HEAD'));
  });

  it('--ci both: the dry run lists the change; the update adds GitLab CI and keeps the edit', async () => {
    const dir = await generated();
    await editRoute(dir);
    const before = await fingerprint(dir);

    const dry = await runCli(['update', '--ci', 'both', '--dry-run'], { cwd: dir, env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      [
        `Dry run: would update ${dir} (create-backend-starter ${version}):`,
        '  answers: --ci both (was github)',
        '  updated   .backend-starter.json',
        '  added     .gitlab-ci.yml',
        'Nothing was written.',
        '',
      ].join('\n'),
    );
    expect(await fingerprint(dir)).toEqual(before);

    const r = await runCli(['update', '--ci', 'both'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  added     .gitlab-ci.yml\n');
    expect(r.stdout).toContain('Review with git diff, then commit (or run update with --commit).');
    expect(await read(dir, 'src/app.ts')).toContain("{ error: 'No such item' }");
    // The same GitLab CI file as generating with --ci both in the first place.
    const fresh = await generated(['--ci', 'both', '--no-git']);
    expect(await read(dir, '.gitlab-ci.yml')).toBe(await read(fresh, '.gitlab-ci.yml'));
    expect(existsSync(path.join(dir, '.github/workflows/ci.yml'))).toBe(true);
    expect(JSON.parse(await read(dir, '.backend-starter.json')).answers.ci).toBe('both');
    // Nothing committed without --commit.
    expect(gitIn(dir, 'log', '--format=%s', '-1')).toBe('My 404 message');

    gitIn(dir, 'add', '-A');
    gitIn(dir, 'commit', '--quiet', '-m', 'GitLab CI');
    const again = await runCli(['update', '--ci', 'both', '--json'], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect(json(again.stdout)).toMatchObject({ ok: true, base: 'ref', changes: [] });
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
  });

  it('--no-docker removes untouched Docker files and keeps the Dockerfile the user changed', async () => {
    const dir = await generated();
    await writeFile(path.join(dir, 'Dockerfile'), `${await read(dir, 'Dockerfile')}# my change\n`);
    gitIn(dir, 'commit', '--quiet', '-am', 'Tune the Dockerfile');
    const r = await runCli(['update', '--no-docker', '--json'], { cwd: dir, env });
    expect(r.code).toBe(0);
    const result = json(r.stdout);
    expect(result.changes).toEqual(
      expect.arrayContaining([
        { path: '.dockerignore', action: 'removed' },
        { path: 'docker-compose.yml', action: 'removed' },
      ]),
    );
    expect(result.kept).toEqual([{ path: 'Dockerfile', reason: 'changed-by-you-no-longer-generated' }]);
    expect(existsSync(path.join(dir, 'docker-compose.yml'))).toBe(false);
    expect(await read(dir, 'Dockerfile')).toMatch(/# my change\n$/);
  });

  it('--commit commits exactly the update', async () => {
    const dir = await generated();
    const r = await runCli(['update', '--ci', 'gitlab', '--commit', '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const result = json(r.stdout);
    expect(result.commit).toBe(gitIn(dir, 'rev-parse', 'HEAD'));
    expect(gitIn(dir, 'log', '--format=%s', '-1')).toBe(`Update to create-backend-starter ${version}`);
    expect(gitIn(dir, 'show', '--name-status', '--format=', 'HEAD').split('\n').sort()).toEqual(
      // The README's Dependencies section names the update bot, which is GitHub's.
      ['A\t.gitlab-ci.yml', 'D\t.github/dependabot.yml', 'D\t.github/workflows/ci.yml', 'M\t.backend-starter.json', 'M\tREADME.md'].sort(),
    );
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
  });

  it('a conflict from changed answers: markers, exit 1, listed, and --commit commits nothing', async () => {
    const dir = await generated();
    const makefile = await read(dir, 'Makefile');
    const mine = makefile.replace('\tdocker compose down\n', '\tdocker compose down --remove-orphans\n');
    expect(mine).not.toBe(makefile);
    await writeFile(path.join(dir, 'Makefile'), mine);
    gitIn(dir, 'commit', '--quiet', '-am', 'Remove orphans too');
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    const r = await runCli(['update', '--no-docker', '--commit'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  answers: --no-docker (was true)\n');
    expect(r.stdout).toContain('  CONFLICT  Makefile (1 conflicting hunk)\n');
    expect(r.stdout).toContain('  note: not committed: resolve the conflicts first, then commit\n');
    expect(r.stdout).toContain('1 conflict(s) to resolve: edit the <<<<<<< ======= >>>>>>> markers in Makefile, then commit.\n');
    const merged = await read(dir, 'Makefile');
    expect(merged).toMatch(/^<<<<<<< yours\n[^]*docker compose down --remove-orphans\n=======\n[^]*--no-docker[^]*\n>>>>>>> create-backend-starter /m);
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(head);
  });
});

describe('update refuses what it must not do, and writes nothing', () => {
  it.each([
    ['--lang', 'python', /cannot change the language \(node → python\)/],
    ['--db', 'mysql', /cannot change the database \(postgres → mysql\)/],
    ['--name', 'other-api', /cannot change the project name/],
    ['--framework', 'express', /cannot change the framework \(fastify → express\)/],
    ['--framework', 'django', /invalid value for --framework: "django" with --lang node\. Valid choices: fastify, express/],
  ])('%s %s: exit 2', async (flag, value, message) => {
    const dir = await generated();
    const before = await fingerprint(dir);
    const r = await runCli(['update', flag, value], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(await fingerprint(dir)).toEqual(before);
  });

  it('the recorded language and database may be restated', async () => {
    const dir = await generated();
    const r = await runCli(['update', '--lang', 'node', '--db', 'postgres', '--json'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(json(r.stdout).changes).toEqual([]);
  });

  it('a working tree with uncommitted changes: exit 2 unless --force', async () => {
    const dir = await generated();
    await writeFile(path.join(dir, 'scratch.txt'), 'not committed\n');
    const r = await runCli(['update', '--ci', 'both'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('uncommitted changes');
    expect(r.stderr).toContain('scratch.txt');
    expect(existsSync(path.join(dir, '.gitlab-ci.yml'))).toBe(false);
    const forced = await runCli(['update', '--ci', 'both', '--force'], { cwd: dir, env });
    expect(forced.code).toBe(0);
    expect(existsSync(path.join(dir, '.gitlab-ci.yml'))).toBe(true);
    expect(await read(dir, 'scratch.txt')).toBe('not committed\n');
  });

  it('usage errors: an unknown flag, a flag of the generator only, a directory that is no generated project', async () => {
    const dir = await generated();
    for (const args of [['--colour'], ['--yes'], ['--install']]) {
      const r = await runCli(['update', ...args], { cwd: dir, env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/unknown option/);
    }
    const empty = await tempDir('update-none');
    const r = await runCli(['update', '--json'], { cwd: empty, env });
    expect(r.code).toBe(2);
    expect(json(r.stdout)).toMatchObject({ ok: false, exitCode: 2, error: expect.stringMatching(/has no \.backend-starter\.json/) });
  });

  it('--help describes update, its own --commit and the shared flags', async () => {
    const r = await runCli(['update', '--help'], { cwd: await tempDir(), env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^create-backend-starter update \[directory\] \[options\]/);
    for (const flag of ['--ci', '--docker', '--dry-run', '--json', '--force', '--commit']) expect(r.stdout).toContain(flag);
  });
});

describe('where the base comes from', () => {
  it('a clone without the base ref falls back to the generator\'s first commit', async () => {
    const dir = await generated();
    await editRoute(dir);
    const clone = path.join(path.dirname(dir), 'clone');
    gitIn(path.dirname(dir), 'clone', '--quiet', dir, clone);
    expect(() => gitIn(clone, 'rev-parse', '--verify', '--quiet', 'refs/backend-starter/base')).toThrow();
    const r = await runCli(['update', '--ci', 'both', '--json'], { cwd: clone, env });
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({ base: 'initial-commit', changes: [{ path: '.backend-starter.json' }, { path: '.gitlab-ci.yml', action: 'added' }] });
    // The update recorded the base, so the next one finds it by ref.
    gitIn(clone, 'add', '-A');
    gitIn(clone, 'commit', '--quiet', '-m', 'update');
    expect(json((await runCli(['update', '--json'], { cwd: clone, env })).stdout)).toMatchObject({ base: 'ref', changes: [] });
  });

  it('an amended first commit is not taken for the base: update stops instead of overwriting edits', async () => {
    const dir = await generated();
    gitIn(dir, 'update-ref', '-d', 'refs/backend-starter/base'); // as in a clone
    // The user folds an edit into the first commit (which, say, 0.0.1 made), a second later.
    const app = await read(dir, 'src/app.ts');
    await writeFile(path.join(dir, 'src/app.ts'), app.replace("{ error: 'Item not found' }", "{ error: 'No such item' }"));
    const record = JSON.parse(await read(dir, '.backend-starter.json'));
    await writeFile(path.join(dir, '.backend-starter.json'), JSON.stringify({ ...record, version: '0.0.1' }, null, 2) + '\n');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    gitIn(dir, 'commit', '--quiet', '--amend', '--no-edit', '-a');
    const r = await runCli(['update'], { cwd: dir, env });
    expect(r.stderr).toContain('cannot find what create-backend-starter 0.0.1 generated');
    expect(r.code).toBe(1);
    expect(await read(dir, 'src/app.ts')).toContain("{ error: 'No such item' }");
  });

  it('an update thrown away with git checkout finds the older base on the ref\'s chain', async () => {
    const dir = await generated();
    const first = json((await runCli(['update', '--ci', 'gitlab', '--json'], { cwd: dir, env })).stdout);
    gitIn(dir, 'checkout', '--quiet', '--', '.');
    gitIn(dir, 'clean', '--quiet', '-fd');
    const again = json((await runCli(['update', '--ci', 'gitlab', '--json'], { cwd: dir, env })).stdout);
    expect(again.base).toBe('ref');
    expect(again.changes).toEqual(first.changes);
  });

  it('a --no-git project: refused without --force; answers change by reproducing the base', async () => {
    const dir = await generated(['--no-git']);
    const refused = await runCli(['update', '--ci', 'both'], { cwd: dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not in a git repository');
    const r = await runCli(['update', '--ci', 'both', '--force', '--json'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({ base: 'reproduced', changes: [{ path: '.backend-starter.json' }, { path: '.gitlab-ci.yml', action: 'added' }] });
  });

  it('across versions with no stored base: exit 1, says how to recover, writes nothing', async () => {
    const dir = await generated(['--no-git']);
    const record = JSON.parse(await read(dir, '.backend-starter.json'));
    await writeFile(path.join(dir, '.backend-starter.json'), JSON.stringify({ ...record, version: '0.0.1' }, null, 2) + '\n');
    const before = await fingerprint(dir);
    const r = await runCli(['update', '--force'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot find what create-backend-starter 0.0.1 generated');
    expect(r.stderr).toContain('create-backend-starter@0.0.1 update');
    expect(await fingerprint(dir)).toEqual(before);
  });

  it('a project nested in a larger repository keeps its own base ref', async () => {
    const outer = await tempDir('update-outer');
    gitIn(outer, 'init', '--quiet');
    await writeFile(path.join(outer, 'README'), 'monorepo\n');
    const gen = await runCli(['svc', '--lang', 'node', '--db', 'postgres', '--yes'], { cwd: outer, env });
    expect(gen.code).toBe(0);
    gitIn(outer, 'add', '-A');
    gitIn(outer, 'commit', '--quiet', '-m', 'monorepo with svc');
    const dir = path.join(outer, 'svc');
    const r = json((await runCli(['update', '--ci', 'both', '--json'], { cwd: dir, env })).stdout);
    expect(r).toMatchObject({ base: 'reproduced', changes: [{ path: '.backend-starter.json' }, { path: '.gitlab-ci.yml', action: 'added' }] });
    const refs = gitIn(outer, 'for-each-ref', '--format=%(refname)', 'refs/backend-starter/');
    expect(refs).toMatch(/^refs\/backend-starter\/base-[0-9a-f]{12}$/);
    expect(gitIn(outer, 'ls-tree', '--name-only', refs)).toContain('.gitlab-ci.yml');
    gitIn(outer, 'add', '-A');
    gitIn(outer, 'commit', '--quiet', '-m', 'update svc');
    expect(json((await runCli(['update', '--json'], { cwd: dir, env })).stdout)).toMatchObject({ base: 'ref', changes: [] });
  });
});

describe('a record from before --framework existed', () => {
  it.each([
    ['node', 'fastify'],
    ['python', 'fastapi'],
  ] as const)('%s: means the language\'s default framework (%s), which the update records', async (lang, framework) => {
    const dir = path.join(await tempDir('update-no-framework'), 'old-api');
    const answers = { lang, framework, db: 'postgres', name: 'old-api', ci: 'github', docker: true, kubernetes: true, git: true } as const;
    const withoutFramework = (t: string) => {
      const record = JSON.parse(t);
      delete record.answers.framework;
      return `${JSON.stringify(record, null, 2)}\n`;
    };
    await generateOlder(dir, answers, '0.0.9', { '.backend-starter.json': withoutFramework });
    expect(JSON.parse(await read(dir, '.backend-starter.json')).answers).not.toHaveProperty('framework');
    const r = await runCli(['update', '--json'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    // The same framework's files: only the record and the README (which names the generator version) change.
    expect(json(r.stdout).changes).toEqual([
      { path: '.backend-starter.json', action: 'updated' },
      { path: 'README.md', action: 'updated' },
    ]);
    expect(JSON.parse(await read(dir, '.backend-starter.json')).answers.framework).toBe(framework);
  });
});

describe('file modes', () => {
  it('a replaced file takes the new mode, unless the user changed its executable bit', async () => {
    const dir = path.join(await tempDir('update-modes'), 'php-api');
    const answers = { lang: 'php', framework: 'symfony', db: 'postgres', name: 'php-api', ci: 'github', docker: true, kubernetes: true, git: true } as const;
    const older = (t: string) => `${t}# 0.0.9\n`;
    await generateOlder(dir, answers, '0.0.9', { 'bin/start': older, 'bin/install-extensions': older }, { modes: { 'bin/start': 0o644 } });
    await chmod(path.join(dir, 'bin/install-extensions'), 0o644); // the user's choice
    gitIn(dir, 'commit', '--quiet', '-am', 'not executable');
    const r = json((await runCli(['update', '--json'], { cwd: dir, env })).stdout);
    expect(r.changes).toEqual(
      expect.arrayContaining([
        { path: 'bin/start', action: 'updated' },
        { path: 'bin/install-extensions', action: 'updated' },
      ]),
    );
    expect((await stat(path.join(dir, 'bin/start'))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(dir, 'bin/install-extensions'))).mode & 0o777).toBe(0o644);
  });
});

describe('library API', () => {
  it('updateProject is exported and takes the same options as the flags', async () => {
    const { updateProject, UsageError } = await import('../../src/index.js');
    const dir = await generated();
    const r = await updateProject({ directory: dir, ci: 'gitlab', dryRun: true });
    expect(r).toMatchObject({ ok: true, dryRun: true, base: 'ref' });
    expect(r.changes.map((c) => `${c.action} ${c.path}`)).toEqual([
      'updated .backend-starter.json',
      'removed .github/dependabot.yml',
      'removed .github/workflows/ci.yml',
      'added .gitlab-ci.yml',
      'updated README.md',
    ]);
    await expect(updateProject({ directory: dir, yes: true })).rejects.toThrow(UsageError);
    await expect(updateProject({ directory: dir, db: 'mongo' })).rejects.toThrow(/cannot change the database/);
  });
});

describe('Yeoman generator', () => {
  it('records the base too, so its projects update like the CLI\'s', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const { createEnv } = await import('yeoman-environment');
      const work = await tempDir('update-yo');
      const yo = createEnv({ cwd: work, skipInstall: true } as never);
      yo.register(path.join(repoRoot, 'dist/generators/app/index.js'), { namespace: 'backend-starter:app' });
      await yo.run(['backend-starter:app', 'yo-app', '--lang', 'node', '--db', 'postgres', '--yes']);
      const dir = path.join(work, 'yo-app');
      expect(gitIn(dir, 'rev-parse', 'refs/backend-starter/base')).toBe(gitIn(dir, 'rev-parse', 'HEAD'));
      const r = json((await runCli(['update', '--ci', 'both', '--json'], { cwd: dir, env })).stdout);
      expect(r).toMatchObject({ base: 'ref', changes: [{ path: '.backend-starter.json' }, { path: '.gitlab-ci.yml', action: 'added' }] });
    } finally {
      process.env = saved;
    }
  });
});
