import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { languageIds } from '../../src/languages/index.js';
import { skipBecause } from '../skip.js';
import { runCli, tempDir } from './run-cli.js';
import { failingRename, hasStrace, slowCalls, slowRenames, snapshot, tracedPid, whenExists, whenStaging } from './tree.js';

const gitIdentity = {
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

/** The project's top-level folders for a language, from a dry run. */
async function topLevelFolders(lang: string): Promise<string[]> {
  const r = await runCli(['p', '--lang', lang, '--yes', '--dry-run', '--json'], { cwd: await tempDir() });
  const files = JSON.parse(r.stdout).files as string[];
  return [...new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!))];
}

describe('--force never writes through a symbolic link', () => {
  it.each(languageIds)('%s: a link in place of any generated folder stops the run before anything changes', async (lang) => {
    const cwd = await tempDir();
    const proj = path.join(cwd, 'proj');
    await mkdir(proj);
    await writeFile(path.join(proj, 'notes.txt'), 'mine\n');
    const folders = await topLevelFolders(lang);
    expect(folders.length).toBeGreaterThan(0);
    for (const f of folders) {
      const victim = path.join(cwd, 'victim', f);
      await mkdir(victim, { recursive: true });
      await writeFile(path.join(victim, 'keep.txt'), 'victim\n');
      await symlink(victim, path.join(proj, f));
    }
    const before = await snapshot(cwd);
    const r = await runCli(['proj', '--lang', lang, '--force', '--yes', '--no-git'], { cwd });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/is a symbolic link .*never writes through links.*Replace the link with a real folder/s);
    expect(await snapshot(cwd)).toEqual(before);
  });

  it('a link inside a generated folder is refused too', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'victim'));
    await mkdir(path.join(cwd, 'proj/src'), { recursive: true });
    await symlink(path.join(cwd, 'victim'), path.join(cwd, 'proj/src/db'));
    const before = await snapshot(cwd);
    const r = await runCli(['proj', '--force', '--yes', '--no-git'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('proj/src/db is a symbolic link');
    expect(await snapshot(cwd)).toEqual(before);
  });

  it('a dangling link where a file goes is kept aside as .orig, not deleted', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'proj'));
    await symlink('/nonexistent/readme', path.join(cwd, 'proj/README.md'));
    const r = await runCli(['proj', '--force', '--yes', '--no-git', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(await readlink(path.join(cwd, 'proj/README.md.orig'))).toBe('/nonexistent/readme');
    expect((await lstat(path.join(cwd, 'proj/README.md'))).isFile()).toBe(true);
    expect(JSON.parse(r.stdout).keptAsOrig).toContain('README.md.orig');
  });

  it('a target that is a link to an empty folder is filled through it', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'real'));
    await symlink('real', path.join(cwd, 'proj'));
    const r = await runCli(['proj', '--yes', '--no-git'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(path.join(cwd, 'real'))).toContain('Makefile');
    expect((await lstat(path.join(cwd, 'proj'))).isSymbolicLink()).toBe(true);
  });
});

describe('--force and git never commit what the user\'s ignore rules exclude', () => {
  it('their .env, ignored files and folders stay out of the first commit, and the result says so', async () => {
    const cwd = await tempDir();
    const proj = path.join(cwd, 'proj');
    await mkdir(path.join(proj, 'big-data'), { recursive: true });
    await writeFile(path.join(proj, '.env'), 'DATABASE_URL=postgres://real:hunter2@db.internal/prod\n');
    await writeFile(path.join(proj, '.gitignore'), 'secret.key\nbig-data/\n');
    await writeFile(path.join(proj, 'secret.key'), 'PRIVATE\n');
    await writeFile(path.join(proj, 'big-data/dump.sql'), 'INSERT …\n');
    await writeFile(path.join(proj, 'notes.txt'), 'mine\n');
    const r = await runCli(['proj', '--force', '--yes', '--json'], { cwd, env: gitIdentity });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    const tracked = execFileSync('git', ['ls-files'], { cwd: proj }).toString().split('\n');
    for (const secret of ['.env', '.env.orig', 'secret.key', 'big-data/dump.sql']) expect(tracked).not.toContain(secret);
    expect(tracked).toContain('notes.txt');
    expect(tracked).toContain('.gitignore.orig');
    expect(execFileSync('git', ['log', '-p'], { cwd: proj }).toString()).not.toContain('hunter2');
    // Still on disk, and still ignored afterwards: `git add -A` later does not pick them up.
    expect(await readFile(path.join(proj, 'secret.key'), 'utf8')).toBe('PRIVATE\n');
    execFileSync('git', ['add', '-A'], { cwd: proj });
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: proj }).toString()).toBe('');
    expect(result.keptAsOrig).toEqual(expect.arrayContaining(['.gitignore.orig']));
    expect(result.git.status).toBe('committed');
    expect(result.git.keptOutOfGit.join('\n')).toMatch(/previous \.gitignore/);
    if (result.keptAsOrig.includes('.env.orig')) expect(result.git.keptOutOfGit).toContain('.env.orig');
    expect(result.warnings.join('\n')).toMatch(/kept out of the first commit/);
  });

  it('a kept-aside copy of a file our .gitignore ignores is not committed', async () => {
    const cwd = await tempDir();
    const proj = path.join(cwd, 'proj');
    await mkdir(proj);
    // Ours ignores node_modules/ and dist/: a user's file of that name kept aside stays out.
    const r0 = await runCli(['proj', '--yes', '--dry-run', '--json'], { cwd });
    const files = JSON.parse(r0.stdout).files as string[];
    expect(files).toContain('.env');
    await writeFile(path.join(proj, '.env'), 'DATABASE_URL=postgres://real:hunter2@db.internal/prod\n');
    const r = await runCli(['proj', '--force', '--yes'], { cwd, env: gitIdentity });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(path.join(proj, '.env.orig'), 'utf8')).toContain('hunter2');
    const tracked = execFileSync('git', ['ls-files'], { cwd: proj }).toString().split('\n');
    expect(tracked).not.toContain('.env.orig');
    expect(r.stderr).toMatch(/kept out of the first commit.*\.env\.orig/);
  });
});

describe('a --force merge is all or nothing', () => {
  it('a folder where a file goes and a file where a folder goes are kept aside before anything moves', async () => {
    const cwd = await tempDir();
    const proj = path.join(cwd, 'proj');
    await mkdir(path.join(proj, 'Makefile'), { recursive: true });
    await writeFile(path.join(proj, 'Makefile/mine.txt'), 'mine\n');
    await writeFile(path.join(proj, 'src'), 'a file named src\n');
    const r = await runCli(['proj', '--force', '--yes', '--no-git'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(path.join(proj, 'Makefile.orig/mine.txt'), 'utf8')).toBe('mine\n');
    expect(await readFile(path.join(proj, 'src.orig'), 'utf8')).toBe('a file named src\n');
    expect((await stat(path.join(proj, 'src'))).isDirectory()).toBe(true);
    expect(await readFile(path.join(proj, 'Makefile'), 'utf8')).toContain('.DEFAULT_GOAL');
  });

  it('a failure in the middle of the moves puts everything back (strace fault injection)', async (ctx) => {
    if (!hasStrace) return skipBecause(ctx, 'strace is not installed (apt-get install strace)');
    const cwd = await tempDir();
    const proj = path.join(cwd, 'proj');
    await mkdir(path.join(proj, 'Makefile'), { recursive: true });
    await writeFile(path.join(proj, 'src'), 'a file named src\n');
    await writeFile(path.join(proj, 'README.md'), 'my readme\n');
    await writeFile(path.join(proj, 'notes.txt'), 'mine\n');
    const before = await snapshot(cwd);
    // strace counts calls per thread: one libuv worker makes "the 8th rename" exact.
    const r = await runCli(['proj', '--force', '--yes', '--no-git'], {
      cwd,
      prefix: failingRename(8),
      env: { UV_THREADPOOL_SIZE: '1' },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/could not write to .*proj \(EIO in rename\)\. Nothing was written: .*proj is as it was\./);
    expect(r.stderr).not.toContain('staging');
    expect(await snapshot(cwd)).toEqual(before);
  });

  it('SIGINT in the middle of the moves puts everything back, and says so truly', async (ctx) => {
    if (!hasStrace) return skipBecause(ctx, 'strace is not installed (apt-get install strace)');
    const cwd = await tempDir();
    const proj = path.join(cwd, 'proj');
    await mkdir(proj);
    await writeFile(path.join(proj, 'README.md'), 'my readme\n');
    await writeFile(path.join(proj, 'notes.txt'), 'mine\n');
    await writeFile(path.join(proj, '.gitignore'), 'secret\n');
    const before = await snapshot(cwd);
    let stop = () => {};
    let sent = false;
    const r = await runCli(['proj', '--force', '--yes', '--no-git'], {
      cwd,
      prefix: slowRenames(150),
      timeoutMs: 90_000,
      onSpawn: (child) => {
        stop = whenExists(path.join(proj, '.dockerignore'), () => {
          const pid = tracedPid(child);
          if (pid) process.kill(pid, 'SIGINT');
          sent = Boolean(pid);
        });
      },
    });
    stop();
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/Interrupted \(SIGINT\): nothing was written: .*proj is as it was\./);
    expect(await snapshot(cwd)).toEqual(before);
  });
});

describe('an existing empty target is filled in place', () => {
  it('keeps its inode and mode', async () => {
    const cwd = await tempDir();
    const proj = path.join(cwd, 'proj');
    await mkdir(proj);
    execFileSync('chmod', ['2750', proj]);
    const before = await stat(proj);
    const r = await runCli(['proj', '--yes', '--no-git'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const after = await stat(proj);
    expect(after.ino).toBe(before.ino);
    expect((after.mode & 0o7777).toString(8)).toBe('2750');
    expect(await readdir(proj)).toContain('Makefile');
  });

  it('SIGINT while filling it leaves it there, empty, same inode and mode', async (ctx) => {
    if (!hasStrace) return skipBecause(ctx, 'strace is not installed (apt-get install strace)');
    const cwd = await tempDir();
    const proj = path.join(cwd, 'proj');
    await mkdir(proj);
    execFileSync('chmod', ['2750', proj]);
    const before = await stat(proj);
    let stop = () => {};
    let sent = false;
    const r = await runCli(['proj', '--yes', '--no-git'], {
      cwd,
      prefix: slowRenames(150),
      timeoutMs: 60_000,
      onSpawn: (child) => {
        stop = whenExists(path.join(proj, '.dockerignore'), () => {
          const pid = tracedPid(child);
          if (pid) process.kill(pid, 'SIGINT');
          sent = Boolean(pid);
        });
      },
    });
    stop();
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('nothing was written');
    const after = await stat(proj);
    expect(after.ino).toBe(before.ino);
    expect((after.mode & 0o7777).toString(8)).toBe('2750');
    expect(await readdir(proj)).toEqual([]);
  });

  it('SIGINT while writing a new target removes it and the parents it made', async (ctx) => {
    if (!hasStrace) return skipBecause(ctx, 'strace is not installed (apt-get install strace)');
    const cwd = await tempDir();
    let stop = () => {};
    const r = await runCli(['x/y/proj', '--yes', '--no-git'], {
      cwd,
      prefix: slowRenames(150),
      timeoutMs: 60_000,
      onSpawn: (child) => {
        stop = whenExists(path.join(cwd, 'x/y/proj/.dockerignore'), () => {
          const pid = tracedPid(child);
          if (pid) process.kill(pid, 'SIGTERM');
        });
      },
    });
    stop();
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toContain('Interrupted (SIGTERM): nothing was written.');
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('signals at any moment', () => {
  it('never crash, never leave the staging folder, and "nothing was written" is only said when true', async (ctx) => {
    if (!hasStrace) return skipBecause(ctx, 'strace is not installed (apt-get install strace)');
    const cwd = await tempDir();
    for (let i = 0; i < 6; i++) {
      const proj = path.join(cwd, `p${i}`);
      await mkdir(proj);
      let stop = () => {};
      let sent = false;
      const signal = i % 2 ? 'SIGINT' : 'SIGTERM';
      const r = await runCli([`p${i}`, '--yes', '--no-git'], {
        cwd,
        // Slow file creation keeps the staging writes in flight when the signal lands.
        prefix: slowCalls('openat', 5),
        timeoutMs: 60_000,
        onSpawn: (child) => {
          stop = whenStaging(cwd, proj, () => {
            setTimeout(() => {
              const pid = tracedPid(child);
              if (pid) process.kill(pid, signal);
              sent = Boolean(pid);
            }, i * 3);
          });
        },
      });
      stop();
      expect(sent).toBe(true);
      expect(r.stderr).not.toMatch(/ENOTEMPTY|at .*\.js:\d+/);
      expect((await readdir(cwd)).filter((e) => e.includes('staging'))).toEqual([]);
      const entries = await readdir(proj);
      expect(entries.filter((e) => e.includes('staging'))).toEqual([]);
      if (r.code === 0) {
        expect(entries).toContain('Makefile');
      } else {
        expect(r.code, r.stderr).toBe(signal === 'SIGINT' ? 130 : 143);
        expect(r.stderr).toContain('nothing was written');
        expect(entries).toEqual([]);
      }
    }
  });
});

describe('a signal once the project is written', () => {
  it('says the project is there and which step did not finish', async () => {
    const cwd = await tempDir();
    const bin = await tempDir('slow-make');
    await writeFile(path.join(bin, 'make'), '#!/bin/sh\necho make-started >&2\nsleep 20\n', { mode: 0o755 });
    const r = await runCli(['app', '--yes', '--no-git', '--install'], {
      cwd,
      env: { PATH: `${bin}:${process.env.PATH}` },
      onStderr: (chunk, child) => {
        if (chunk.includes('make-started')) child.kill('SIGINT');
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Interrupted \(SIGINT\): the project is complete in .*app, but make install did not finish; run it there yourself\./);
    expect(r.stderr).not.toContain('nothing was written');
    expect(await readdir(path.join(cwd, 'app'))).toContain('Makefile');
  });
});

describe('two runs into one target', () => {
  it('the second stops while the first is writing, and touches nothing', async () => {
    const cwd = await tempDir();
    let second: Awaited<ReturnType<typeof runCli>> | undefined;
    const first = await runCli(['proj', '--yes', '--no-git'], {
      cwd,
      env: { CREATE_BACKEND_STARTER_TEST_HOOK: 'pause-before-move' },
      onStderr: (chunk, child) => {
        if (!chunk.includes('paused before move')) return;
        void runCli(['proj', '--yes', '--no-git', '--force'], { cwd }).then((r) => {
          second = r;
          child.kill('SIGINT');
        });
      },
    });
    expect(second?.code, second?.stderr).toBe(1);
    expect(second?.stderr).toMatch(/another create-backend-starter run is writing into .*proj; wait for it to finish/);
    expect(first.code).toBe(130);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('started at the same moment, at most one succeeds and nothing is merged', async () => {
    const cwd = await tempDir();
    for (let i = 0; i < 5; i++) {
      const runs = await Promise.all([0, 1].map(() => runCli([`p${i}`, '--yes', '--no-git'], { cwd })));
      expect(runs.filter((r) => r.code === 0).length, runs.map((r) => r.stderr).join('\n')).toBe(1);
      const entries = await readdir(path.join(cwd, `p${i}`));
      expect(entries.filter((e) => e.endsWith('.orig') || e.includes('staging'))).toEqual([]);
    }
  });
});

describe('limits and messages', () => {
  it('a directory name near the 255-byte limit works (no staging suffix added to it)', async () => {
    const cwd = await tempDir();
    const name = `a${'b'.repeat(250)}`;
    const r = await runCli([name, '--yes', '--no-git'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(path.join(cwd, name))).toContain('Makefile');
  });

  it.each([
    ['256 bytes', 'a'.repeat(256)],
    ['100 KB', 'a'.repeat(100 * 1024)],
  ])('a %s name is a usage error with a short echo', async (_label, name) => {
    const cwd = await tempDir();
    const r = await runCli([name, '--yes', '--no-git', '--json'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/too long .*at most 255 bytes per name\. Choose a shorter directory name/);
    expect(r.stderr.length).toBeLessThan(1000);
    expect(r.stdout.length).toBeLessThan(1000);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('a path through a file says so, exit 2, without a raw error', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'file'), 'x');
    const r = await runCli(['file/sub/proj', '--yes', '--no-git'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a file, not a folder: choose another target directory/);
    expect(r.stderr).not.toMatch(/ENOTDIR/);
  });

  it('a failed run removes the parent folders it created', async () => {
    const cwd = await tempDir();
    const r = await runCli(['x/y/z/proj', '--yes', '--no-git'], {
      cwd,
      env: { CREATE_BACKEND_STARTER_TEST_HOOK: 'fail-before-move' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Nothing was written.');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('a flag given twice and an empty directory say what to do', async () => {
    const cwd = await tempDir();
    const twice = await runCli(['x', '--lang', 'node', '--lang', 'php', '--yes'], { cwd });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--lang was given more than once (node, php); give it once, with the value you mean, e.g. --lang php');
    const empty = await runCli(['', '--yes'], { cwd });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the target directory must not be empty: give the folder to create, e.g. create-backend-starter my-api');
  });

  it('--name with no value is an error, not the directory name', async () => {
    const cwd = await tempDir();
    for (const args of [['x', '--yes', '--name'], ['x', '--name', '--yes']]) {
      const r = await runCli(args, { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--name needs a value, e.g. --name my-api');
    }
    expect(await readdir(cwd)).toEqual([]);
  });

  it('a directory name that is not valid UTF-8 is refused, not renamed', async () => {
    const cwd = await tempDir();
    const { spawnSync } = await import('node:child_process');
    const { binPath } = await import('./run-cli.js');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${binPath}" "$(printf 'bad\\377name')" --yes --no-git`], {
      cwd,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is not valid UTF-8');
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('terminal and JSON output', () => {
  it.each([['esc\x1b]0;PWNED\x07x'], ['\x1b[2Jclear'], ['ok\rFAKE']])('%j is printed escaped, including the cd hint', async (dir) => {
    const cwd = await tempDir();
    const r = await runCli([dir, '--yes', '--no-git'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    const hint = /^ {2}cd (.*)$/m.exec(r.stdout)?.[1];
    expect(hint).toMatch(/^\$'.*'$/);
    // The hint, run by bash, names the folder that was created.
    const target = execFileSync('bash', ['-c', `cd ${hint} && pwd`], { cwd }).toString().trim();
    expect(path.basename(target)).toBe(dir);
  });

  it('--json=true means JSON, --json=false and --no-json do not', async () => {
    const cwd = await tempDir();
    const on = await runCli(['x', '--yes', '--dry-run', '--json=true'], { cwd });
    expect(JSON.parse(on.stdout)).toMatchObject({ ok: true, dryRun: true });
    for (const off of ['--json=false', '--no-json']) {
      const r = await runCli(['x', '--yes', '--dry-run', '--json', off], { cwd });
      expect(r.stdout).toContain('Dry run: would create x');
    }
  });

  it('--json --help and --json --version print one JSON object', async () => {
    const cwd = await tempDir();
    const help = await runCli(['--json', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(JSON.parse(help.stdout)).toMatchObject({ ok: true, help: expect.stringContaining('--lang') });
    const version = await runCli(['--version', '--json'], { cwd });
    expect(JSON.parse(version.stdout)).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('after --, --json is a directory name, not a flag', async () => {
    const cwd = await tempDir();
    const r = await runCli(['--yes', '--no-git', '--', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Created json /);
    expect(r.stdout).toContain('cd ./--json');
    expect(existsSync(path.join(cwd, '--json/Makefile'))).toBe(true);
  });
});
