import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { skipBecause } from '../skip.js';
import { runCli, tempDir } from './run-cli.js';

const realGit = execFileSync('bash', ['-c', 'command -v git']).toString().trim();

/** A clean git setup: no global or system config (no safe.directory = *), a fixed identity. */
async function gitEnv(extraPath?: string): Promise<NodeJS.ProcessEnv> {
  return {
    HOME: await tempDir('home'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'T',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 'T',
    GIT_COMMITTER_EMAIL: 't@example.com',
    ...(extraPath ? { PATH: `${extraPath}:${process.env.PATH}` } : {}),
  };
}

/** A `git` first on PATH that runs a shell snippet, then the real git. */
async function wrappedGit(snippet: string): Promise<string> {
  const bin = await tempDir('git-bin');
  await writeFile(path.join(bin, 'git'), `#!/bin/sh\n${snippet}\nexec "${realGit}" "$@"\n`);
  await chmod(path.join(bin, 'git'), 0o755);
  return bin;
}

describe('git', () => {
  it('a repository owned by another user ("dubious ownership") is not "no repository": no nested .git', async (ctx) => {
    if (process.getuid?.() !== 0) return skipBecause(ctx, 'needs root to hand a repository to another user', true);
    const cwd = await tempDir();
    execFileSync('git', ['init', '-q'], { cwd });
    execFileSync('chown', ['-R', '65534:65534', cwd]);
    const env = await gitEnv();
    // The precondition: git itself refuses this repository here.
    expect(() => execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd, env, stdio: 'pipe' })).toThrow(/dubious ownership/);
    const r = await runCli(['services/app', '--yes', '--json'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(cwd, 'services/app/Makefile'))).toBe(true);
    expect(existsSync(path.join(cwd, 'services/app/.git'))).toBe(false);
    const result = JSON.parse(r.stdout);
    expect(result.git.status).toBe('skipped');
    expect(result.warnings.join('\n')).toMatch(/belongs to another user.*dubious ownership.*safe\.directory/);
  });

  it('a git without --initial-branch (before 2.28) still makes the repository, on main', async () => {
    const cwd = await tempDir();
    const bin = await wrappedGit(
      'for a in "$@"; do case "$a" in --initial-branch*) echo "error: unknown option \\`initial-branch=main\'" >&2; exit 129;; esac; done',
    );
    const r = await runCli(['app', '--yes'], { cwd, env: await gitEnv(bin) });
    expect(r.code, r.stderr).toBe(0);
    const app = path.join(cwd, 'app');
    expect(execFileSync('git', ['symbolic-ref', 'HEAD'], { cwd: app }).toString().trim()).toBe('refs/heads/main');
    expect(execFileSync('git', ['log', '--format=%s'], { cwd: app }).toString().trim()).toBe('Initial commit from create-backend-starter');
  });

  it('a failing git init after the project is written is a warning: exit 0, ok:true, and a rerun is not needed', async () => {
    const cwd = await tempDir();
    const bin = await wrappedGit('for a in "$@"; do [ "$a" = init ] && { echo "fatal: cannot init here" >&2; exit 128; }; done');
    const r = await runCli(['app', '--yes', '--json'], { cwd, env: await gitEnv(bin) });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.ok).toBe(true);
    expect(result.git.status).toBe('failed');
    expect(result.warnings.join('\n')).toMatch(/git init failed \(fatal: cannot init here\); the project is complete, without a repository\. To finish by hand: cd .*app && git init/);
    expect(await readdir(path.join(cwd, 'app'))).toContain('Makefile');
  });

  it('inside the user\'s repository a --force merge never touches its git state', async () => {
    const cwd = await tempDir();
    execFileSync('git', ['init', '-q'], { cwd });
    await mkdir(path.join(cwd, 'svc'));
    await writeFile(path.join(cwd, 'svc/notes.txt'), 'mine\n');
    const r = await runCli(['svc', '--yes', '--force'], { cwd, env: await gitEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(cwd, 'svc/.git'))).toBe(false);
  });
});
